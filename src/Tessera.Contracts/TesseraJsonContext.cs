using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>
/// The source-generated serializers of every wire type. Names come from each property's [JsonPropertyName], so the
/// shape does not depend on a naming policy; reads ignore unknown fields.
/// </summary>
[JsonSourceGenerationOptions(
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(UploadObject))]
[JsonSerializable(typeof(FileObject))]
[JsonSerializable(typeof(UploadPartObject))]
[JsonSerializable(typeof(StoredPartObject))]
[JsonSerializable(typeof(ListObject<FileObject>))]
[JsonSerializable(typeof(ListObject<StoredPartObject>))]
[JsonSerializable(typeof(PendingUploadObject))]
[JsonSerializable(typeof(ListObject<PendingUploadObject>))]
[JsonSerializable(typeof(DeletedFileObject))]
[JsonSerializable(typeof(ProjectUsageObject))]
[JsonSerializable(typeof(CreateUploadRequest))]
[JsonSerializable(typeof(CompleteUploadRequest))]
[JsonSerializable(typeof(ErrorResponse))]
public sealed partial class TesseraJsonContext : JsonSerializerContext;
