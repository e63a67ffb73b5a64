using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>The outcome of a chunked upload: the completed upload (with its file) and what this run had to send.</summary>
public sealed record ChunkedUploadResult
{
    /// <summary>The completed upload; its <see cref="UploadObject.File"/> is the new file.</summary>
    public required UploadObject Upload { get; init; }

    /// <summary>The file's MD5 as lower-case hex; null when it was not computed (see <see cref="ChunkedUploadOptions.Md5"/>).</summary>
    public string? Md5 { get; init; }

    /// <summary>The file's CRC32C as the server confirmed it, in the header encoding; null against a server that does not check CRC32C.</summary>
    public string? Crc32C { get; init; }

    /// <summary>Parts the server received damaged and that were sent again.</summary>
    public int PartsResent { get; init; }

    /// <summary>Parts sent in this run.</summary>
    public int PartsSent { get; init; }

    /// <summary>Parts an earlier run had sent and the server still held: not sent again.</summary>
    public int PartsReused { get; init; }

    /// <summary>Why an earlier run's upload could not be continued (e.g. the server cannot list parts); null when there was none or it was continued.</summary>
    public string? ResumeNotice { get; init; }
}
