# Tessera server image: the server published as one self-contained executable (scripts/publish-server.sh, which CI
# runs too: see scripts/check-container.sh), on the runtime-deps image, which has no .NET runtime of its own, run as
# the image's non-root user. Open mode does not listen beyond loopback, so give it a project and a key:
#   docker build -t tessera .
#   docker run -p 8080:8080 -v tessera-data:/data \
#     -e Tessera__Projects__0__Name=main -e Tessera__Projects__0__Keys__0=sk-... tessera
# For another platform: docker buildx build --platform linux/arm64 -t tessera .
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src
COPY . .
RUN scripts/publish-server.sh "linux-$(if [ "$TARGETARCH" = arm64 ]; then echo arm64; else echo x64; fi)" /app

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
WORKDIR /app
COPY --from=build /app .
RUN mkdir -p /data && chown "$APP_UID" /data
# The image's non-root user (app), by number, so an orchestrator that insists on non-root can check it.
USER $APP_UID
VOLUME /data
EXPOSE 8080
# ASPNETCORE_URLS is the one address setting Tessera reads; the base image's HTTP_PORTS is cleared so that Kestrel
# does not warn that URLS overrides it. SQLite's native library is unpacked under the user's home on first start
# (set DOTNET_BUNDLE_EXTRACT_BASE_DIR to a writable folder when the root file system is read-only).
ENV Tessera__DataPath=/data \
    ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS=
# The runtime-deps image has no curl; bash's /dev/tcp asks /healthz and succeeds on a 200.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/app/Tessera.Server"]
