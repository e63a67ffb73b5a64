using System.Text.Json;

namespace Tessera.Testing.Engines;

/// <summary>
/// The checksums one request to the S3 engine carried: its <c>x-amz-checksum-*</c> and
/// <c>x-amz-sdk-checksum-algorithm</c> headers (names in lower case) and, for a CompleteMultipartUpload, the parts its
/// body names.
/// </summary>
public sealed record S3RequestChecksums(IReadOnlyDictionary<string, string> Headers, IReadOnlyList<S3CompletedPart> Parts)
{
    public static readonly S3RequestChecksums None = new(new Dictionary<string, string>(), []);

    /// <summary>The value of checksum header <paramref name="name"/>; null when the request did not carry it.</summary>
    public string? Header(string name) => Headers.GetValueOrDefault(name);

    /// <summary>Parses the launcher's JSON, <c>{"headers":{...},"parts":[{"partNumber":1,"crc32c":"..."}]}</c>.</summary>
    internal static S3RequestChecksums Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var headers = root.TryGetProperty("headers", out var headerObject)
            ? headerObject.EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString() ?? "")
            : [];
        IReadOnlyList<S3CompletedPart> parts = root.TryGetProperty("parts", out var partArray)
            ? [.. partArray.EnumerateArray().Select(p => new S3CompletedPart(p.GetProperty("partNumber").GetInt32(), p.GetProperty("crc32c").GetString()))]
            : [];
        return new S3RequestChecksums(headers, parts);
    }
}

/// <summary>One part a CompleteMultipartUpload named, with the CRC32C it gave for it (null when it gave none).</summary>
public sealed record S3CompletedPart(int PartNumber, string? Crc32C);
