using Tessera.Domain;
using Tessera.Server.Scrubbing;
using Tessera.Server.Telemetry;
using Tessera.Storage.FileSystem;

namespace Tessera.Server.Hosting;

/// <summary>The <c>Tessera</c> configuration section.</summary>
public sealed class TesseraOptions
{
    public const string SectionName = "Tessera";

    /// <summary>The folder of the embedded stores: the SQLite database and the blobs folder (<c>Tessera:DataPath</c>).</summary>
    public string DataPath { get; set; } = "./data";

    /// <summary>
    /// An operator's JSON settings file, polled for changes (<c>Tessera:SettingsFile</c>). Read by <see cref="Hosting.SettingsFile"/>
    /// before these options are bound, since it is one of their sources; here so that it is a setting Tessera knows.
    /// </summary>
    public string? SettingsFile { get; set; }

    /// <summary>Projects and their API keys. None means open mode (docs/api.md section 5).</summary>
    public List<ProjectOptions> Projects { get; set; } = [];

    /// <summary>Lets open mode (no keys) listen on addresses other than loopback.</summary>
    public bool AllowOpenModeOnNetwork { get; set; }

    /// <summary>
    /// How many MiB of large (4 MiB) write buffers all part and file writes in progress may hold together
    /// (<c>Tessera:WriteBufferBudgetMiB</c>). Each write takes two; writes past the budget use 256 KiB buffers.
    /// </summary>
    public int WriteBufferBudgetMiB { get; set; } = (int)(FileSystemBlobStore.DefaultWriteBufferBudgetBytes >> 20);

    /// <summary>
    /// How long requests in flight may take to finish once the server is asked to stop
    /// (<c>Tessera:ShutdownGraceSeconds</c>); the ones still running then are aborted and leave nothing behind.
    /// </summary>
    public int ShutdownGraceSeconds { get; set; } = 10;

    /// <summary>
    /// Print the stack trace of a configuration or environment error at start-up (<c>Tessera:DetailedStartupErrors</c>).
    /// Read by <see cref="StartupFailures"/> straight from the configuration, since the failure may be in binding these options.
    /// </summary>
    public bool DetailedStartupErrors { get; set; }

    /// <summary>Which store keeps uploads, parts and files (<c>Tessera:Metadata</c>).</summary>
    public MetadataStoreOptions Metadata { get; set; } = new();

    /// <summary>Which store keeps the bytes (<c>Tessera:Blobs</c>).</summary>
    public BlobStoreOptions Blobs { get; set; } = new();

    public TesseraLimits Limits { get; set; } = new();

    public SweeperOptions Sweeper { get; set; } = new();

    /// <summary>Reading stored blobs back against their checksums (<c>Tessera:Scrub</c>); not scheduled by default.</summary>
    public ScrubOptions Scrub { get; set; } = new();

    /// <summary>Metrics and traces (<c>Tessera:Telemetry</c>); off by default.</summary>
    public TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Every project's request limits on this node (<c>Tessera:RateLimits</c>); a project may override them.</summary>
    public NodeRateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Which proxies may tell Tessera the client's address and scheme (<c>Tessera:ForwardedHeaders</c>); none by default.</summary>
    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    /// <summary>What every project may hold (<c>Tessera:Quotas</c>); a project's own <see cref="ProjectOptions.Quotas"/> override them.</summary>
    public QuotaOptions Quotas { get; set; } = new();

    public bool IsOpenMode => Projects.Count == 0;
}

public sealed class ProjectOptions
{
    public string Name { get; set; } = "";

    public List<string> Keys { get; set; } = [];

    /// <summary>Files that hold more keys, one a line (blank lines and <c>#</c> comments ignored), re-read when they change.</summary>
    public List<string> KeyFiles { get; set; } = [];

    /// <summary>This project's own limits; a value left unset takes <see cref="TesseraOptions.RateLimits"/>'.</summary>
    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>This project's own quotas (<c>Tessera:Projects:N:Quotas</c>); each one set replaces <see cref="TesseraOptions.Quotas"/>' own.</summary>
    public QuotaOptions Quotas { get; set; } = new();
}

/// <summary>Limits per project and per node; null is unlimited.</summary>
public class RateLimitOptions
{
    /// <summary>Requests a second, in a token bucket that holds one second's worth, so a burst of that many passes at once.</summary>
    public int? RequestsPerSecond { get; set; }

    /// <summary>Parts being received at once.</summary>
    public int? ConcurrentParts { get; set; }
}

/// <summary><c>Tessera:RateLimits</c>: every project's limits, and the node's own limits on requests from anyone.</summary>
public sealed class NodeRateLimitOptions : RateLimitOptions
{
    /// <summary>
    /// Failed authentications (no key, a wrong key) one client address may make in a window
    /// (<c>Tessera:RateLimits:FailedAuthPerAddress</c>); past them it is answered 429 until the window ends.
    /// </summary>
    public FailedAuthLimitOptions FailedAuthPerAddress { get; set; } = new();
}

public sealed class FailedAuthLimitOptions
{
    /// <summary>How many failed authentications an address may make in one window (<c>FailedAuthPerAddress:Limit</c>).</summary>
    public int Limit { get; set; } = 10;

    /// <summary>The window's length in seconds (<c>FailedAuthPerAddress:WindowSeconds</c>).</summary>
    public int WindowSeconds { get; set; } = 10;
}

/// <summary>
/// <c>Tessera:ForwardedHeaders</c>: the proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed.
/// With neither list set those headers are ignored, whoever sends them.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.5</c> (<c>Tessera:ForwardedHeaders:KnownProxies:N</c>).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, e.g. <c>172.30.0.0/24</c> (<c>Tessera:ForwardedHeaders:KnownNetworks:N</c>).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public bool IsEnabled => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

/// <summary>Limits on what a project holds; null (unset) is no limit.</summary>
public sealed class QuotaOptions
{
    /// <summary>The bytes of its stored parts and files together (<c>Quotas:Bytes</c>).</summary>
    public long? Bytes { get; set; }

    /// <summary>How many files it may have (<c>Quotas:Files</c>).</summary>
    public long? Files { get; set; }

    /// <summary>How many uploads it may have pending at once (<c>Quotas:PendingUploads</c>).</summary>
    public long? PendingUploads { get; set; }
}

public sealed class SweeperOptions
{
    /// <summary>How often expired uploads and files are swept and freed bytes deleted (<see cref="Reclaiming.StorageReclaimer"/>).</summary>
    public int IntervalSeconds { get; set; } = 60;

    /// <summary>How long a blob that no metadata names is left alone before reconciliation deletes it (a write may be finishing).</summary>
    public int OrphanGraceSeconds { get; set; } = 3600;

    /// <summary>Reconcile the blobs with the metadata every this many sweeps (and once at start-up).</summary>
    public int ReconcileEverySweeps { get; set; } = 60;
}
