using Microsoft.Extensions.Options;
using Tessera.Domain;
using Tessera.Server.Hosting;

namespace Tessera.Server.Quotas;

/// <summary>
/// Each project's quota, from the settings as they are now: <c>Tessera:Quotas</c> for every project (open mode's
/// <c>default</c> included), each limit that a project sets under <c>Tessera:Projects:N:Quotas</c> in its place.
/// </summary>
internal sealed class ProjectQuotas : IDisposable
{
    private readonly IDisposable? _subscription;
    private volatile TesseraOptions _settings;

    public ProjectQuotas(IOptionsMonitor<TesseraOptions> options)
    {
        _settings = options.CurrentValue;
        // Reloaded settings that fail validation never reach OnChange (CurrentValue would throw on them), so the last
        // valid quotas stay in force, as the keys and rate limits do.
        _subscription = options.OnChange(changed => _settings = changed);
    }

    public ProjectQuota For(string project)
    {
        var settings = _settings;
        var shared = settings.Quotas;
        var own = settings.Projects.Find(p => string.Equals(p.Name, project, StringComparison.Ordinal))?.Quotas;
        return new ProjectQuota(
            own?.Bytes ?? shared.Bytes,
            own?.Files ?? shared.Files,
            own?.PendingUploads ?? shared.PendingUploads);
    }

    public void Dispose() => _subscription?.Dispose();
}
