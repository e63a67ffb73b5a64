using Microsoft.Extensions.Primitives;

namespace Tessera.Server.Http;

/// <summary>
/// The <c>AllowedHosts</c> setting read as ASP.NET Core's host filtering reads it: host names separated by <c>;</c>,
/// no ports, <c>*.example.com</c> for its subdomains, Unicode names as punycode; unset or <c>*</c> accepts any host.
/// </summary>
internal sealed class AllowedHostList
{
    private readonly List<StringSegment> _hosts;

    private AllowedHostList(string? setting, List<StringSegment> hosts, bool acceptsAnyHost)
    {
        Setting = setting;
        _hosts = hosts;
        AcceptsAnyHost = acceptsAnyHost;
    }

    /// <summary>The setting as written, to see whether it changed.</summary>
    public string? Setting { get; }

    public bool AcceptsAnyHost { get; }

    /// <summary>The names listed, as a client reads them in a message.</summary>
    public string Described => string.Join(", ", _hosts);

    public static AllowedHostList Parse(string? setting)
    {
        var hosts = new List<StringSegment>();
        foreach (var entry in (setting ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry == "*")
            {
                return new AllowedHostList(setting, [], acceptsAnyHost: true);
            }

            hosts.Add(new HostString(entry).ToUriComponent());
        }

        return new AllowedHostList(setting, hosts, acceptsAnyHost: hosts.Count == 0);
    }

    /// <summary>Whether <paramref name="host"/> (a Host header, port or not) is one of the names listed; <c>*</c> is not counted.</summary>
    public bool ListsHost(string host)
    {
        try
        {
            return _hosts.Count > 0 && HostString.MatchesAny(host, _hosts);
        }
        catch (FormatException)
        {
            // A port that is not a number.
            return false;
        }
    }
}
