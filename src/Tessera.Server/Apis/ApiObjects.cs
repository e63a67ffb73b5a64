using System.Text.Json.Serialization;
using Tessera.Domain;

namespace Tessera.Server.Apis;

// The objects of OpenAI's API, exactly in its shape (snake_case through the host's JSON options). What OpenAI
// lacks goes to endpoints of our own, never into these.

/// <summary>OpenAI's Upload object. <c>file</c> is absent until the upload is completed.</summary>
public sealed record UploadObject(
    string Id, long Bytes, long CreatedAt, string Filename, string Purpose, string Status, long ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FileObject? File)
{
    public string Object => "upload";

    public static UploadObject From(Upload upload, long now, StoredFile? file = null) => new(
        upload.Id, upload.Bytes, upload.CreatedAt, upload.Filename, upload.Purpose, upload.StatusAt(now).ToWireName(),
        upload.ExpiresAt, file is null ? null : FileObject.From(file));
}

/// <summary>OpenAI's File object. Every key is always present; <c>status</c> is always <c>processed</c>.</summary>
public sealed record FileObject(string Id, long Bytes, long CreatedAt, long? ExpiresAt, string Filename, string Purpose)
{
    public string Object => "file";

    public string Status => "processed";

    public string? StatusDetails => null;

    public static FileObject From(StoredFile file) =>
        new(file.Id, file.Bytes, file.CreatedAt, file.ExpiresAt, file.Filename, file.Purpose);
}

/// <summary>OpenAI's Upload Part object.</summary>
public sealed record PartObject(string Id, long CreatedAt, string UploadId)
{
    public string Object => "upload.part";
}

/// <summary>A page of a list, as OpenAI's cursor-paged endpoints answer.</summary>
public sealed record ListObject<T>(IReadOnlyList<T> Data, bool HasMore, string? FirstId, string? LastId)
{
    public string Object => "list";
}

/// <summary>The answer to <c>DELETE /files/{id}</c>.</summary>
public sealed record DeletedFileObject(string Id)
{
    public string Object => "file";

    public bool Deleted => true;
}

/// <summary>One part as <c>GET /uploads/{id}/parts</c> lists it (our extension): with its size and MD5, so a client can resume.</summary>
public sealed record StoredPartObject(string Id, long CreatedAt, string UploadId, long Bytes, string Md5)
{
    public string Object => "upload.part";
}
