# Tessera server image: build with the SDK, run on the ASP.NET Core runtime as a non-root user.
#   docker build -t tessera .
#   docker run -p 8080:8080 -v tessera-data:/data -e Tessera__Projects__0__Name=main -e Tessera__Projects__0__Keys__0=sk-... tessera
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Tessera.Server/Tessera.Server.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
RUN mkdir -p /data && chown app:app /data
USER app
VOLUME /data
EXPOSE 8080
ENV Tessera__DataPath=/data \
    urls=http://0.0.0.0:8080
# The runtime image has no curl; bash's /dev/tcp asks /healthz and succeeds on a 200.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "Tessera.Server.dll"]
