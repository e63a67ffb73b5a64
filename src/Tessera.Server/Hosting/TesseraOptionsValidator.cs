using Microsoft.Extensions.Options;
using Tessera.Server.Scrubbing;
using Tessera.Server.Telemetry;
using Tessera.Storage.Postgres;
using Tessera.Storage.S3;

namespace Tessera.Server.Hosting;

/// <summary>Stops the server at start-up with a message that names the bad setting.</summary>
internal sealed class TesseraOptionsValidator : IValidateOptions<TesseraOptions>
{
    public ValidateOptionsResult Validate(string? name, TesseraOptions options)
    {
        var failures = new List<string>();
        var limits = options.Limits;
        if (string.IsNullOrWhiteSpace(options.DataPath))
        {
            failures.Add("Tessera:DataPath must name a folder.");
        }

        // The providers themselves are checked by StorageRegistration.AddStores, which picks the stores from them.
        PostgresConnection(options.Metadata, failures);
        S3Settings(options.Blobs, failures);

        if (options.WriteBufferBudgetMiB < 0)
        {
            failures.Add("Tessera:WriteBufferBudgetMiB must not be negative.");
        }

        if (options.ShutdownGraceSeconds < 0)
        {
            failures.Add("Tessera:ShutdownGraceSeconds must not be negative.");
        }

        if (limits.MaxPartBytes < 1)
        {
            failures.Add("Tessera:Limits:MaxPartBytes must be at least 1.");
        }

        if (limits.MaxUploadBytes < 0)
        {
            failures.Add("Tessera:Limits:MaxUploadBytes must not be negative.");
        }

        if (limits.MaxPartsPerUpload < 1)
        {
            failures.Add("Tessera:Limits:MaxPartsPerUpload must be at least 1.");
        }

        if (limits.UploadTimeToLiveSeconds < 1)
        {
            failures.Add("Tessera:Limits:UploadTimeToLiveSeconds must be at least 1.");
        }

        if (limits.MaxFileBytes < 1)
        {
            failures.Add("Tessera:Limits:MaxFileBytes must be at least 1.");
        }

        if (limits.MinFileExpiresAfterSeconds < 1 || limits.MaxFileExpiresAfterSeconds < limits.MinFileExpiresAfterSeconds)
        {
            failures.Add("Tessera:Limits:MinFileExpiresAfterSeconds and MaxFileExpiresAfterSeconds must form a range of positive seconds.");
        }

        if (limits.MaxJsonBodyBytes < 1024)
        {
            failures.Add("Tessera:Limits:MaxJsonBodyBytes must be at least 1024.");
        }

        if (limits.BodyIdleSeconds < 1 || limits.MaxDrainBytes < 0)
        {
            failures.Add("Tessera:Limits:BodyIdleSeconds must be at least 1 and Tessera:Limits:MaxDrainBytes not negative.");
        }

        if (limits.MaxUnauthenticatedDrainBytes < 0)
        {
            failures.Add("Tessera:Limits:MaxUnauthenticatedDrainBytes must not be negative.");
        }

        if (options.Sweeper.IntervalSeconds < 1 || options.Sweeper.OrphanGraceSeconds < 0 || options.Sweeper.ReconcileEverySweeps < 1)
        {
            failures.Add("Tessera:Sweeper:IntervalSeconds and ReconcileEverySweeps must be at least 1, OrphanGraceSeconds not negative.");
        }

        ScrubSettings(options.Scrub, failures);
        TelemetrySettings(options.Telemetry, failures);
        RateLimits(options.RateLimits, "Tessera:RateLimits", failures);
        FailedAuthLimit(options.RateLimits.FailedAuthPerAddress, failures);
        ForwardedHeaders(options.ForwardedHeaders, failures);
        NonNegativeQuotas(options.Quotas, "Tessera:Quotas", failures);

        var seenKeys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Projects.Count; i++)
        {
            var project = options.Projects[i];
            if (string.IsNullOrWhiteSpace(project.Name))
            {
                failures.Add($"Tessera:Projects:{i}:Name must be set.");
            }

            NonNegativeQuotas(project.Quotas, $"Tessera:Projects:{i}:Quotas", failures);
            if (project.Keys.Count == 0 && project.KeyFiles.Count == 0)
            {
                failures.Add($"Tessera:Projects:{i}:Keys or Tessera:Projects:{i}:KeyFiles must hold at least one key.");
            }

            RateLimits(project.RateLimits, $"Tessera:Projects:{i}:RateLimits", failures);

            for (var k = 0; k < project.Keys.Count; k++)
            {
                if (string.IsNullOrWhiteSpace(project.Keys[k]) || project.Keys[k].Length < 8)
                {
                    failures.Add($"Tessera:Projects:{i}:Keys:{k} must be at least 8 characters.");
                }
                else if (!seenKeys.Add(project.Keys[k]))
                {
                    failures.Add($"Tessera:Projects:{i}:Keys:{k} is also the key of another project.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void TelemetrySettings(TelemetryOptions telemetry, List<string> failures)
    {
        var prometheus = telemetry.Prometheus;
        if (prometheus.Port is < 1 or > 65535)
        {
            failures.Add($"Tessera:Telemetry:Prometheus:Port must be a TCP port, 1 to 65535; {prometheus.Port} is not.");
        }

        if (prometheus.Enabled && prometheus.Port is null && (string.IsNullOrWhiteSpace(prometheus.Key) || prometheus.Key.Length < 8))
        {
            failures.Add("Tessera:Telemetry:Prometheus:Key must be set (at least 8 characters) to serve /metrics on the main port, or set Tessera:Telemetry:Prometheus:Port to serve it on a management port of its own.");
        }

        if (telemetry.Otlp.Endpoint is { } endpoint && !string.IsNullOrWhiteSpace(endpoint)
            && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            failures.Add($"Tessera:Telemetry:Otlp:Endpoint must be an http:// or https:// URL, e.g. http://collector:4317; '{endpoint}' is not.");
        }
    }

    private static void ScrubSettings(ScrubOptions scrub, List<string> failures)
    {
        if (scrub.IntervalSeconds < 0)
        {
            failures.Add($"Tessera:Scrub:IntervalSeconds must not be negative; {scrub.IntervalSeconds} is not (0 schedules no scrub).");
        }

        if (scrub.MaxBytesPerSecond is < ScrubOptions.MinMaxBytesPerSecond or > int.MaxValue)
        {
            failures.Add($"Tessera:Scrub:MaxBytesPerSecond must be from {ScrubOptions.MinMaxBytesPerSecond} to {int.MaxValue} bytes a second; {scrub.MaxBytesPerSecond} is not (the default is {ScrubOptions.DefaultMaxBytesPerSecond}, 50 MiB/s).");
        }
    }

    private static void RateLimits(RateLimitOptions limits, string section, List<string> failures)
    {
        if (limits.RequestsPerSecond < 1 || limits.ConcurrentParts < 1)
        {
            failures.Add($"{section}:RequestsPerSecond and ConcurrentParts must be at least 1 when set.");
        }
    }

    private static void FailedAuthLimit(FailedAuthLimitOptions limit, List<string> failures)
    {
        if (limit.Limit < 1 || limit.WindowSeconds < 1)
        {
            failures.Add($"Tessera:RateLimits:FailedAuthPerAddress:Limit and WindowSeconds must be at least 1; {limit.Limit} in {limit.WindowSeconds} s is not a limit.");
        }
    }

    private static void ForwardedHeaders(ForwardedHeadersSettings forwarded, List<string> failures)
    {
        for (var i = 0; i < forwarded.KnownProxies.Count; i++)
        {
            if (!System.Net.IPAddress.TryParse(forwarded.KnownProxies[i], out _))
            {
                failures.Add($"Tessera:ForwardedHeaders:KnownProxies:{i} must be an IP address, e.g. 10.0.0.5; '{forwarded.KnownProxies[i]}' is not.");
            }
        }

        for (var i = 0; i < forwarded.KnownNetworks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(forwarded.KnownNetworks[i], out _))
            {
                failures.Add($"Tessera:ForwardedHeaders:KnownNetworks:{i} must be a network in CIDR notation, e.g. 172.30.0.0/24; '{forwarded.KnownNetworks[i]}' is not.");
            }
        }
    }

    private static void NonNegativeQuotas(QuotaOptions quotas, string section, List<string> failures)
    {
        foreach (var (name, value) in new[] { ("Bytes", quotas.Bytes), ("Files", quotas.Files), ("PendingUploads", quotas.PendingUploads) })
        {
            if (value < 0)
            {
                failures.Add($"{section}:{name} must not be negative; leave it unset for no limit.");
            }
        }
    }

    private static void PostgresConnection(MetadataStoreOptions metadata, List<string> failures)
    {
        if (!string.Equals(metadata.Provider, StorageRegistration.PostgresMetadata, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(metadata.ConnectionString))
        {
            failures.Add("Tessera:Metadata:ConnectionString must be set when Tessera:Metadata:Provider is Postgres, e.g. Host=db;Username=tessera;Password=...;Database=tessera.");
            return;
        }

        var problem = new PostgresMetadataOptions { ConnectionString = metadata.ConnectionString }.DescribeConnectionStringProblem();
        if (problem is not null)
        {
            failures.Add($"Tessera:Metadata:ConnectionString: {problem} Use keywords such as Host, Port, Username, Password and Database, separated by ';'.");
        }
    }

    private static void S3Settings(BlobStoreOptions blobs, List<string> failures)
    {
        if (!string.Equals(blobs.Provider, StorageRegistration.S3Blobs, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        try
        {
            blobs.S3.ToStoreOptions().Validate();
        }
        catch (ArgumentException exception)
        {
            var setting = exception.ParamName switch
            {
                nameof(S3BlobOptions.RequestTimeout) => "Tessera:Blobs:S3:RequestTimeoutSeconds",
                { } name => $"Tessera:Blobs:S3:{name}",
                null => "Tessera:Blobs:S3",
            };
            failures.Add($"{setting}: {exception.Message.Split(" (Parameter", 2)[0]}");
        }
    }
}
