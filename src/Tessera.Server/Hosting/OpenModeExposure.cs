using System.Net;
using Tessera.Server.Http;

namespace Tessera.Server.Hosting;

/// <summary>
/// Open mode accepts any bearer token, so it may listen on loopback only unless the operator says otherwise
/// (docs/api.md section 5), and then only for the host names the operator lists in <c>AllowedHosts</c>.
/// The addresses configured are checked before anything is touched; the addresses Kestrel really bound are checked
/// again once bound (<see cref="BoundAddressCheck"/>), whatever configured them.
/// </summary>
internal static class OpenModeExposure
{
    public const string AllowSetting = "Tessera:AllowOpenModeOnNetwork";

    /// <exception cref="StartupException">Open mode is asked to listen beyond loopback, or on the network for any host name.</exception>
    public static void EnsureAllowed(TesseraOptions options, IEnumerable<string> configuredAddresses, IConfiguration configuration)
    {
        if (!options.IsOpenMode)
        {
            return;
        }

        EnsureOnLoopback(options, configuredAddresses);
        if (options.AllowOpenModeOnNetwork && AllowedHostList.Parse(configuration[HostHeaderMiddleware.AllowedHostsSetting]).AcceptsAnyHost)
        {
            throw new StartupException(StartupProblem.Configuration,
                $"{AllowSetting}=true lets anyone who reaches this server use it without a key, so {HostHeaderMiddleware.AllowedHostsSetting} must list " +
                $"the host names clients reach it by (e.g. {HostHeaderMiddleware.AllowedHostsSetting}=tessera.internal;localhost), not '*'.");
        }
    }

    /// <exception cref="StartupException">Open mode without <see cref="AllowSetting"/> listens on an address that is not loopback.</exception>
    public static void EnsureOnLoopback(TesseraOptions options, IEnumerable<string> addresses)
    {
        if (!options.IsOpenMode || options.AllowOpenModeOnNetwork)
        {
            return;
        }

        var exposed = addresses.Where(address => !IsLoopback(address)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (exposed.Count > 0)
        {
            throw new StartupException(StartupProblem.Configuration,
                $"No API keys are configured (Tessera:Projects), so Tessera runs in open mode, which listens on loopback only; " +
                $"{string.Join(", ", exposed)} is not loopback. Configure keys, or set {AllowSetting}=true and " +
                $"{HostHeaderMiddleware.AllowedHostsSetting} to accept any token from the network.");
        }
    }

    /// <summary>Whether <paramref name="url"/> binds loopback only: <c>localhost</c> or a loopback IP; <c>*</c>, <c>+</c>, any other name or IP is not.</summary>
    public static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url.Replace("://*", "://any-host", StringComparison.Ordinal).Replace("://+", "://any-host", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return IsLoopbackName(uri.Host);
    }

    /// <summary>A host name or address (no port) that means this machine: <c>localhost</c>, <c>127.x.x.x</c>, <c>[::1]</c>.</summary>
    public static bool IsLoopbackName(string host)
    {
        var name = host.Trim('[', ']');
        return string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }
}
