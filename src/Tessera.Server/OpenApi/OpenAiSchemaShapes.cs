using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tessera.Contracts;
using Tessera.Domain;

namespace Tessera.Server.OpenApi;

/// <summary>
/// Gives the wire types OpenAI's schema names, required lists and enumerations, which their C# shape cannot say
/// (a purpose is a string that takes a few values; OpenAI requires some keys that Tessera always writes and not
/// others). A type without a row here keeps its generated name, and every key it always writes is required.
/// </summary>
internal sealed class OpenAiSchemaShapes : IOpenApiSchemaTransformer
{
    private static readonly Dictionary<Type, Shape> Shapes = new()
    {
        [typeof(UploadObject)] = new("Upload",
            Required: ["bytes", "created_at", "expires_at", "filename", "id", "purpose", "status"],
            Enums: new()
            {
                ["status"] = [UploadStatuses.Pending, UploadStatuses.Completed, UploadStatuses.Cancelled, UploadStatuses.Expired],
                ["object"] = ["upload"],
            }),
        [typeof(UploadPartObject)] = new("UploadPart",
            Required: ["created_at", "id", "object", "upload_id"],
            Enums: new() { ["object"] = ["upload.part"] }),
        // Tessera also stores evals files, which OpenAI's list of purposes here does not name yet.
        [typeof(FileObject)] = new("OpenAIFile",
            Required: ["id", "object", "bytes", "created_at", "filename", "purpose", "status"],
            Enums: new()
            {
                ["object"] = ["file"],
                ["purpose"] = Purposes.Listable,
                ["status"] = ["uploaded", "processed", "error"],
            }),
        [typeof(ListObject<FileObject>)] = new("ListFilesResponse", Required: ["object", "data", "first_id", "last_id", "has_more"]),
        [typeof(DeletedFileObject)] = new("DeleteFileResponse",
            Required: ["id", "object", "deleted"],
            Enums: new() { ["object"] = ["file"] }),
        // Tessera accepts user_data and evals on create as well, as every SDK sends them (docs/api.md section 3).
        [typeof(CreateUploadRequest)] = new("CreateUploadRequest",
            Required: ["filename", "purpose", "bytes", "mime_type"],
            Enums: new() { ["purpose"] = Purposes.Accepted },
            Closed: true),
        [typeof(CompleteUploadRequest)] = new("CompleteUploadRequest", Required: ["part_ids"], Closed: true),
        [typeof(ExpiresAfter)] = new("FileExpirationAfter",
            Required: ["anchor", "seconds"],
            Enums: new() { ["anchor"] = [ExpiresAfter.CreatedAtAnchor] }),
        [typeof(ErrorResponse)] = new("ErrorResponse"),
        [typeof(ApiError)] = new("Error"),
        [typeof(StoredPartObject)] = new("StoredUploadPart", Enums: new() { ["object"] = ["upload.part"] }),
        [typeof(ListObject<StoredPartObject>)] = new("ListUploadPartsResponse", Enums: new() { ["object"] = ["list"] }),
        [typeof(PendingUploadObject)] = new("PendingUpload",
            Enums: new() { ["status"] = [UploadStatuses.Pending], ["object"] = ["upload"] }),
        [typeof(ListObject<PendingUploadObject>)] = new("ListPendingUploadsResponse", Enums: new() { ["object"] = ["list"] }),
    };

    /// <summary>The component name of a type's schema: OpenAI's where it has one (used as <c>OpenApiOptions.CreateSchemaReferenceId</c>).</summary>
    public static string? SchemaName(JsonTypeInfo type) =>
        Shapes.TryGetValue(type.Type, out var shape) ? shape.Name : OpenApiOptions.CreateDefaultSchemaReferenceId(type);

    /// <summary>The component name of a type that has a row here.</summary>
    public static string SchemaName(Type type) => Shapes[type].Name;

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo;
        // Not context.JsonPropertyInfo: a type first met as a property's is componentized from that schema.
        if (type.Kind != JsonTypeInfoKind.Object || type.Type.Namespace?.StartsWith("Tessera.", StringComparison.Ordinal) != true)
        {
            return Task.CompletedTask;
        }

        Shapes.TryGetValue(type.Type, out var shape);
        schema.Required = new HashSet<string>(shape?.Required ?? AlwaysWritten(type), StringComparer.Ordinal);
        foreach (var (property, values) in shape?.Enums ?? [])
        {
            if (schema.Properties is { } properties && properties.TryGetValue(property, out var written) && written is OpenApiSchema propertySchema)
            {
                propertySchema.Enum = [.. values.Select(value => (JsonNode)JsonValue.Create(value))];
            }
        }

        if (shape?.Closed == true)
        {
            // The JSON bodies are strict: an unknown property is a 400 (docs/api.md section 1).
            schema.AdditionalPropertiesAllowed = false;
        }

        return Task.CompletedTask;
    }

    /// <summary>Keys written on every answer: all but those left out when null.</summary>
    private static IEnumerable<string> AlwaysWritten(JsonTypeInfo type) =>
        type.Properties.Where(property => property.ShouldSerialize is null).Select(property => property.Name);

    private sealed record Shape(string Name, IReadOnlyList<string>? Required = null, Dictionary<string, IReadOnlyList<string>>? Enums = null, bool Closed = false);
}
