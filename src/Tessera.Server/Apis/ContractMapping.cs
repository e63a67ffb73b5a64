using Tessera.Contracts;
using Tessera.Domain;
using Tessera.Storage;

namespace Tessera.Server.Apis;

/// <summary>From the domain's records to the wire contract: the only values the API writes.</summary>
internal static class ContractMapping
{
    /// <summary>The Upload as a client sees it at <paramref name="now"/>, with its file once completed.</summary>
    public static UploadObject ToContract(this Upload upload, long now, StoredFile? file = null) => new()
    {
        Id = upload.Id,
        Bytes = upload.Bytes,
        CreatedAt = upload.CreatedAt,
        Filename = upload.Filename,
        Purpose = upload.Purpose,
        Status = upload.StatusAt(now).ToWireName(),
        ExpiresAt = upload.ExpiresAt,
        File = file?.ToContract(),
    };

    /// <summary>A pending upload as <c>GET /uploads</c> lists it: the Upload as a client sees it, with its received bytes.</summary>
    public static PendingUploadObject ToContract(this PendingUpload pending, long now) => new()
    {
        Id = pending.Upload.Id,
        Bytes = pending.Upload.Bytes,
        CreatedAt = pending.Upload.CreatedAt,
        Filename = pending.Upload.Filename,
        Purpose = pending.Upload.Purpose,
        Status = pending.Upload.StatusAt(now).ToWireName(),
        ExpiresAt = pending.Upload.ExpiresAt,
        ReceivedBytes = pending.ReceivedBytes,
    };

    public static FileObject ToContract(this StoredFile file) => new()
    {
        Id = file.Id,
        Bytes = file.Bytes,
        CreatedAt = file.CreatedAt,
        ExpiresAt = file.ExpiresAt,
        Filename = file.Filename,
        Purpose = file.Purpose,
    };

    public static UploadPartObject ToContract(this UploadPart part) => new()
    {
        Id = part.Id,
        CreatedAt = part.CreatedAt,
        UploadId = part.UploadId,
    };

    public static StoredPartObject ToStoredContract(this UploadPart part) => new()
    {
        Id = part.Id,
        CreatedAt = part.CreatedAt,
        UploadId = part.UploadId,
        Bytes = part.Bytes,
        Crc32C = part.Crc32C is { } crc ? Crc32C.ToHeaderValue(crc) : null,
        Md5 = part.Md5,
    };

    /// <summary>A page whose <c>first_id</c> and <c>last_id</c> are its first and last items' ids.</summary>
    public static ListObject<T> ToPage<T>(this IReadOnlyList<T> data, bool hasMore, Func<T, string> id) => new()
    {
        Data = data,
        HasMore = hasMore,
        FirstId = data.Count > 0 ? id(data[0]) : null,
        LastId = data.Count > 0 ? id(data[^1]) : null,
    };

    public static DeletedFileObject DeletedFile(string fileId) => new() { Id = fileId, Deleted = true };
}
