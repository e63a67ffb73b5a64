using Tessera.Contracts;
using Tessera.Domain;

namespace Tessera.Server.OpenApi;

/// <summary>
/// The <c>multipart/form-data</c> bodies, described by hand: the handlers read the form from the request stream
/// (FormIngest), so nothing in their signatures tells the generator which fields they take. The names and fields are
/// OpenAI's.
/// </summary>
public static class MultipartForms
{
    /// <summary>The body of <c>POST /uploads/{upload_id}/parts</c>.</summary>
    public static readonly MultipartForm AddUploadPart = new("AddUploadPartRequest",
    [
        FormField.Binary("data", "The chunk of bytes for this Part: at least 1 byte and at most the part limit (64 MiB by default)."),
    ]);

    /// <summary>The body of <c>POST /files</c>.</summary>
    public static readonly MultipartForm CreateFile = new("CreateFileRequest",
    [
        FormField.Binary("file", "The file's bytes; the field's filename becomes the File's filename."),
        FormField.Text("purpose", "The intended purpose of the uploaded file.", Purposes.Accepted),
        FormField.Object("expires_after", typeof(ExpiresAfter),
            "When the File expires, sent as the two fields expires_after[anchor] and expires_after[seconds]."),
    ]);
}

/// <summary>A multipart form: the name of its schema among the document's components, and its fields.</summary>
public sealed record MultipartForm(string SchemaName, IReadOnlyList<FormField> Fields);

/// <summary>One field of a multipart form. Every field but an <see cref="Object"/> one is required.</summary>
public sealed record FormField(string Name, FormFieldKind Kind, string Description, bool Required, IReadOnlyList<string>? AllowedValues = null, Type? ObjectType = null)
{
    /// <summary>Bytes, sent as a file part.</summary>
    public static FormField Binary(string name, string description) => new(name, FormFieldKind.Binary, description, Required: true);

    /// <summary>A text field, one of <paramref name="allowedValues"/>.</summary>
    public static FormField Text(string name, string description, IReadOnlyList<string> allowedValues) =>
        new(name, FormFieldKind.Text, description, Required: true, allowedValues);

    /// <summary>An optional object sent as one field per property, <c>name[property]</c> (OpenAI's SDKs do so).</summary>
    public static FormField Object(string name, Type type, string description) =>
        new(name, FormFieldKind.Object, description, Required: false, ObjectType: type);
}

public enum FormFieldKind
{
    Binary,
    Text,
    Object,
}
