using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Tessera.Server.Hosting;

namespace Tessera.Server.Http;

/// <summary>
/// ASP.NET Core's forwarded headers, believed only from the proxies of <c>Tessera:ForwardedHeaders</c>: a request from
/// one of them takes its client address and scheme from the last entry of <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c>, which that proxy wrote. Anyone else's forwarded headers are ignored, so a client cannot
/// pick the address that its failed authentications count against (<see cref="FailedAuthenticationLimiter"/>).
/// </summary>
internal static class TrustedForwardedHeaders
{
    /// <summary>ASP.NET Core's own switch (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>), which believes any sender.</summary>
    private const string TrustEveryoneSetting = "FORWARDEDHEADERS_ENABLED";

    public static IServiceCollection AddTrustedForwardedHeaders(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TesseraOptions>>((forwarded, tessera) =>
        {
            var settings = tessera.Value.ForwardedHeaders;
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The defaults trust loopback; only what the operator named is trusted.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in settings.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in settings.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }

    /// <summary>Applies trusted proxies' forwarded headers first in the pipeline, so that logs and limits see the client.</summary>
    public static void UseTrustedForwardedHeaders(this WebApplication app, TesseraOptions options)
    {
        if (app.Configuration.GetValue<bool>(TrustEveryoneSetting))
        {
            throw new StartupException(StartupProblem.Configuration,
                "ASPNETCORE_FORWARDEDHEADERS_ENABLED=true believes X-Forwarded-For from anyone, so any client could choose its address. " +
                "Remove it and name the proxies instead: Tessera:ForwardedHeaders:KnownProxies:0=10.0.0.5 or Tessera:ForwardedHeaders:KnownNetworks:0=172.30.0.0/24.");
        }

        if (options.ForwardedHeaders.IsEnabled)
        {
            app.UseForwardedHeaders();
        }
    }
}
