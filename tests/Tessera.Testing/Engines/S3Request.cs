namespace Tessera.Testing.Engines;

/// <summary>One request that the S3 engine received, as its log line named it.</summary>
public sealed record S3Request(string Method, string Path, string Query)
{
    /// <summary>The checksums the request carried (see <see cref="S3RequestChecksums"/>).</summary>
    public S3RequestChecksums Checksums { get; init; } = S3RequestChecksums.None;

    /// <summary>The bucket the request names (the first segment of the path); empty for the service itself.</summary>
    public string Bucket => Path.TrimStart('/').Split('/')[0];

    /// <summary>What the request asks of S3, by the names of S3's API.</summary>
    public S3RequestKind Kind => (Method, HasObjectKey, Has("uploadId"), Has("uploads"), Has("partNumber")) switch
    {
        ("PUT", false, _, _, _) => S3RequestKind.CreateBucket,
        ("PUT", true, true, _, true) => S3RequestKind.UploadPart,
        ("PUT", true, false, _, _) => S3RequestKind.PutObject,
        ("POST", true, _, true, _) => S3RequestKind.CreateMultipartUpload,
        ("POST", true, true, _, _) => S3RequestKind.CompleteMultipartUpload,
        ("DELETE", true, true, _, _) => S3RequestKind.AbortMultipartUpload,
        ("DELETE", true, false, _, _) => S3RequestKind.DeleteObject,
        ("GET", true, _, _, _) => S3RequestKind.GetObject,
        ("GET", false, _, true, _) => S3RequestKind.ListMultipartUploads,
        ("GET", false, _, _, _) => S3RequestKind.ListObjects,
        _ => S3RequestKind.Other,
    };

    private bool HasObjectKey => Path.TrimStart('/').Split('/', 2) is [_, { Length: > 0 }];

    private bool Has(string parameter) =>
        Query.TrimStart('?').Split('&').Any(pair => pair == parameter || pair.StartsWith(parameter + "=", StringComparison.Ordinal));

    /// <summary>Parses a launcher line <c>request METHOD URL CHECKSUMS</c> (the last optional); null for any other line.</summary>
    internal static S3Request? Parse(string line)
    {
        var parts = line.Split(' ', 4);
        if (parts is not ["request", var method, var url, ..])
        {
            return null;
        }

        var query = url.IndexOf('?', StringComparison.Ordinal);
        var request = query < 0 ? new S3Request(method, url, "") : new S3Request(method, url[..query], url[query..]);
        return parts is [_, _, _, var checksums] ? request with { Checksums = S3RequestChecksums.Parse(checksums) } : request;
    }
}

/// <summary>The S3 operations Tessera's blob store uses.</summary>
public enum S3RequestKind
{
    Other,
    CreateBucket,
    PutObject,
    GetObject,
    DeleteObject,
    ListObjects,
    CreateMultipartUpload,
    UploadPart,
    CompleteMultipartUpload,
    AbortMultipartUpload,
    ListMultipartUploads,
}
