using Microsoft.Extensions.Options;
using Tessera.Domain;
using Tessera.Server.Apis;
using Tessera.Server.Hosting;

namespace Tessera.Server.Http;

/// <summary>
/// Answers only requests whose <c>Host</c> names this server, against DNS rebinding: a web page whose own name is
/// pointed at 127.0.0.1 reaches a server on the developer's machine from the developer's browser, but its requests
/// still carry the page's name. In open mode only loopback names and addresses are accepted (any port), and the
/// names in <c>AllowedHosts</c> too when <c>Tessera:AllowOpenModeOnNetwork</c> is set; with keys, <c>AllowedHosts</c>
/// decides (unset or <c>*</c>: any host). <c>/livez</c> and <c>/healthz</c> are exempt, so probes by IP keep working.
/// A request with no Host at all (HTTP/1.0) is accepted: a browser always sends one.
/// </summary>
internal sealed class HostHeaderMiddleware(RequestDelegate next, ProjectKeys keys, IOptionsMonitor<TesseraOptions> options, IConfiguration configuration)
{
    public const string AllowedHostsSetting = "AllowedHosts";

    private const string LoopbackHosts = "localhost, 127.0.0.1, [::1]";

    // AllowedHosts follows the settings file; it is parsed again only when its text changed.
    private volatile AllowedHostList _allowed = AllowedHostList.Parse(null);

    public Task InvokeAsync(HttpContext context)
    {
        var host = context.Request.Headers.Host.ToString();
        if (host.Length == 0 || HealthApi.IsProbe(context.Request))
        {
            return next(context);
        }

        var allowed = AllowedHosts();
        if (keys.IsOpenMode)
        {
            var network = options.CurrentValue.AllowOpenModeOnNetwork;
            if (IsLoopbackHost(host) || (network && allowed.ListsHost(host)))
            {
                return next(context);
            }

            throw network && !allowed.AcceptsAnyHost
                ? ApiErrors.HostNotAllowed(host, $"loopback names and the hosts in {AllowedHostsSetting} ({LoopbackHosts}, {allowed.Described})",
                    $"Reach it by one of those names, or add this one to {AllowedHostsSetting}.")
                : ApiErrors.HostNotAllowed(host, $"loopback names and addresses in open mode ({LoopbackHosts}; any port)",
                    $"Reach it by one of those, or configure API keys (Tessera:Projects), or set {OpenModeExposure.AllowSetting}=true with the names clients use in {AllowedHostsSetting}.");
        }

        if (allowed.AcceptsAnyHost || allowed.ListsHost(host))
        {
            return next(context);
        }

        throw ApiErrors.HostNotAllowed(host, $"the hosts in {AllowedHostsSetting} ({allowed.Described})",
            $"Reach it by one of those names, or add this one to {AllowedHostsSetting}.");
    }

    private AllowedHostList AllowedHosts()
    {
        var setting = configuration[AllowedHostsSetting];
        var allowed = _allowed;
        if (!string.Equals(allowed.Setting, setting, StringComparison.Ordinal))
        {
            _allowed = allowed = AllowedHostList.Parse(setting);
        }

        return allowed;
    }

    private static bool IsLoopbackHost(string host) => OpenModeExposure.IsLoopbackName(new HostString(host).Host);
}
