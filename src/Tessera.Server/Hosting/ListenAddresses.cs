using Tessera.Server.Telemetry;

namespace Tessera.Server.Hosting;

/// <summary>
/// Where the server listens: the <c>Kestrel:Endpoints</c> when any are configured (Kestrel then ignores <c>urls</c>),
/// otherwise <c>urls</c>; with the Prometheus management port on the hosts of either. Addresses are bound once, at
/// start-up: Kestrel's own reload of <c>Kestrel:Endpoints</c> is turned off, so an endpoint added to a reloaded
/// settings file cannot open an address that no start-up check has seen (<see cref="SettingsReloadCheck"/> logs that
/// the change needs a restart).
/// </summary>
internal static class ListenAddresses
{
    public const string KestrelSection = "Kestrel";
    public const string UrlsSetting = "urls";
    private const string EndpointsSection = "Kestrel:Endpoints";

    /// <summary>Sets the addresses Kestrel binds; returns them as configured, the management port's included.</summary>
    public static IReadOnlyList<string> Configure(WebApplicationBuilder builder, TelemetryOptions telemetry)
    {
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            // Replaces the default loader, which rebinds when the configuration changes.
            kestrel.Configure(context.Configuration.GetSection(KestrelSection), reloadOnChange: false);
        });

        var endpoints = builder.Configuration.GetSection(EndpointsSection).GetChildren()
            .Select(endpoint => endpoint["Url"]).OfType<string>().Where(url => url.Length > 0).ToList();
        if (endpoints.Count == 0)
        {
            var urls = Split(builder.Configuration[UrlsSetting] ?? TesseraApp.DefaultUrl);
            List<string> all = [.. urls, .. MetricsEndpoint.ManagementUrls(urls, telemetry)];
            builder.WebHost.UseUrls([.. all]);
            return all;
        }

        // Kestrel binds either its endpoints or urls, never both, so the management port becomes endpoints too.
        var management = MetricsEndpoint.ManagementUrls(endpoints, telemetry);
        builder.Configuration.AddInMemoryCollection(
            management.Select((url, i) => KeyValuePair.Create($"{EndpointsSection}:TesseraManagement{i}:Url", (string?)url)));
        return [.. endpoints, .. management];
    }

    /// <summary>What the listening addresses are configured as now (<c>urls</c> and the <c>Kestrel</c> section), to see a change.</summary>
    public static string Fingerprint(IConfiguration configuration) =>
        string.Join('\n', configuration.GetSection(KestrelSection).AsEnumerable()
            .Append(KeyValuePair.Create(UrlsSetting, configuration[UrlsSetting]))
            .OrderBy(setting => setting.Key, StringComparer.OrdinalIgnoreCase)
            .Select(setting => $"{setting.Key}={setting.Value}"));

    private static List<string> Split(string urls) =>
        [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
