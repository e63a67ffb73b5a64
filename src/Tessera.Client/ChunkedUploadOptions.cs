using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>How <see cref="UploadsClient.UploadFileAsync(string, string, ChunkedUploadOptions?, CancellationToken)"/> sends a file.</summary>
public sealed record ChunkedUploadOptions
{
    /// <summary>Bytes per part (1 B .. 64 MiB; default 64 MiB). Memory use is about this times <see cref="Parallelism"/>.</summary>
    public int PartSize { get; init; } = UploadsClient.MaxPartBytes;

    /// <summary>
    /// The most parts the upload may be sent in (default <see cref="UploadsClient.MaxPartsPerUpload"/>; set it to the
    /// server's <c>Tessera:Limits:MaxPartsPerUpload</c> when that differs). A file that would need more parts of
    /// <see cref="PartSize"/> is refused before the upload is created.
    /// </summary>
    public int MaxParts { get; init; } = UploadsClient.MaxPartsPerUpload;

    /// <summary>Parts in flight at once (default 4).</summary>
    public int Parallelism { get; init; } = 4;

    /// <summary>
    /// When the whole file's MD5 is computed while reading and sent at completion, for the server to check (default:
    /// only against a server that does not check CRC32C; MD5 costs about a core per 0.7 GB/s).
    /// </summary>
    public Md5Policy Md5 { get; init; } = Md5Policy.UnlessServerChecksCrc32C;

    /// <summary>How many times a part the server received damaged (its CRC32C differs) is sent in all before the upload fails (default 3).</summary>
    public int MaxPartSends { get; init; } = 3;

    /// <summary>The upload's <c>mime_type</c>; null: guessed from the file name's extension, else <c>application/octet-stream</c>.</summary>
    public string? MimeType { get; init; }

    /// <summary>The file name sent to the server; null: the source file's name.</summary>
    public string? Filename { get; init; }

    /// <summary>When the file made at completion expires; null: the server's default.</summary>
    public ExpiresAfter? ExpiresAfter { get; init; }

    /// <summary>Bytes sent and parts done, reported as bytes leave (in 1 MiB steps) and as parts are acknowledged.</summary>
    public IProgress<UploadProgress>? Progress { get; init; }

    /// <summary>
    /// Whether an interrupted upload of the same file (same full path, size and modification time, same server) is
    /// continued instead of started over. Default true for a path; a stream source cannot resume.
    /// </summary>
    public bool Resume { get; init; } = true;

    /// <summary>The smallest part size that sends <paramref name="bytes"/> in at most <paramref name="maxParts"/> parts (at least 1).</summary>
    public static long SmallestPartSize(long bytes, int maxParts) => Math.Max(1, (bytes + maxParts - 1) / maxParts);

    /// <summary>Where resume state files live; null: <c>tessera/uploads</c> under the user's local application data folder.</summary>
    public string? StateDirectory { get; init; }
}

