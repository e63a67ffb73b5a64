using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tessera.Contracts;

namespace Tessera.Server.OpenApi;

/// <summary>
/// Writes into each operation what its mapping declared with <see cref="EndpointDescriptions"/>: the operation id,
/// the request body (JSON or multipart, which the generator cannot infer from handlers that read the stream), the
/// query parameters, OpenAI's snake_case path parameter names, and what each refusal means.
/// </summary>
internal sealed class TesseraOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<OperationDescription>().LastOrDefault() is { } description)
        {
            operation.OperationId = description.OperationId;
        }

        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            parameter.Name = PathNames.SnakeCase(parameter.Name!);
        }

        if (metadata.OfType<QueryParameters>().LastOrDefault() is { } query)
        {
            operation.Parameters ??= [];
            foreach (var parameter in query.Parameters)
            {
                operation.Parameters.Add(QueryParameterOf(parameter));
            }
        }

        if (metadata.OfType<MultipartForm>().LastOrDefault() is { } form)
        {
            operation.RequestBody = MultipartBody(form, context);
        }

        if (metadata.OfType<ChecksumHeaderUse>().LastOrDefault() is { } checksum)
        {
            DescribeChecksum(operation, checksum);
        }

        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is OpenApiResponse written && int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code >= 400)
            {
                written.Description = RefusalMeaning(status);
            }
        }

        return Task.CompletedTask;
    }

    private static void DescribeChecksum(OpenApiOperation operation, ChecksumHeaderUse use)
    {
        var schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "byte", MinLength = 8, MaxLength = 8 };
        if (use.ChecksRequest)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = ChecksumHeaders.Crc32C,
                In = ParameterLocation.Header,
                Description = "Tessera's extension: the CRC32C of what is sent (the whole file, on complete), base64 of its 4 bytes, most significant first. Checked before anything is kept: 400 checksum_mismatch when the bytes differ.",
                Schema = schema,
            });
        }

        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is OpenApiResponse answer && status.StartsWith('2'))
            {
                answer.Headers ??= new Dictionary<string, IOpenApiHeader>();
                answer.Headers[ChecksumHeaders.Crc32C] = new OpenApiHeader
                {
                    Description = "Tessera's extension: the CRC32C the server recorded (the whole file's, on a range too); absent for data stored before checksums.",
                    Schema = schema,
                };
            }
        }
    }

    private static OpenApiRequestBody MultipartBody(MultipartForm form, OpenApiOperationTransformerContext context)
    {
        var document = context.Document ?? throw new InvalidOperationException("The operation transformer runs without its document.");
        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            AdditionalPropertiesAllowed = false,
            Properties = new Dictionary<string, IOpenApiSchema>(),
            Required = new HashSet<string>(form.Fields.Where(field => field.Required).Select(field => field.Name), StringComparer.Ordinal),
        };
        var encoding = new Dictionary<string, OpenApiEncoding>();
        foreach (var field in form.Fields)
        {
            schema.Properties[field.Name] = field.Kind switch
            {
                FormFieldKind.Binary => new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = field.Description },
                FormFieldKind.Text => new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = field.Description,
                    Enum = field.AllowedValues is { } values ? [.. values.Select(value => (JsonNode)JsonValue.Create(value))] : null,
                },
                _ => new OpenApiSchemaReference(OpenAiSchemaShapes.SchemaName(field.ObjectType!), document),
            };
            if (field.Kind == FormFieldKind.Object)
            {
                // name[property]=value, one field per property.
                encoding[field.Name] = new OpenApiEncoding { Style = ParameterStyle.DeepObject, Explode = true };
            }
        }

        document.AddComponent<IOpenApiSchema>(form.SchemaName, schema);
        return new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["multipart/form-data"] = new() { Schema = new OpenApiSchemaReference(form.SchemaName, document), Encoding = encoding },
            },
        };
    }

    private static OpenApiParameter QueryParameterOf(QueryParameter parameter) => new()
    {
        Name = parameter.Name,
        In = ParameterLocation.Query,
        Required = false,
        Description = parameter.Description,
        Schema = new OpenApiSchema
        {
            Type = parameter.IsInteger ? JsonSchemaType.Integer : JsonSchemaType.String,
            Enum = parameter.AllowedValues is { } values ? [.. values.Select(value => (JsonNode)JsonValue.Create(value))] : null,
            Default = parameter.Default is null ? null : parameter.IsInteger ? JsonValue.Create(long.Parse(parameter.Default, CultureInfo.InvariantCulture)) : JsonValue.Create(parameter.Default),
        },
    };

    /// <summary>docs/api.md section 2, in a line each.</summary>
    private static string RefusalMeaning(string status) => status switch
    {
        "400" => "A bad field value or a state that does not allow the request; `param` names the field. Also a `Host` header naming a host this server does not answer to (`host_not_allowed`).",
        "401" => "No API key, or one this server does not know.",
        "404" => "No such object in the caller's project.",
        "416" => "The requested range starts past the end of the file.",
        "429" => "Too many requests for the project (when rate limits are configured); `Retry-After` says when to retry.",
        "500" => "Something unexpected; the message carries the request id, the server's log the details.",
        "503" => "A store (database, object store) cannot be reached; `x-should-retry: true`.",
        "507" => "Storage is full (`storage_full`) or the project's quota would be exceeded (`quota_exceeded`, `x-should-retry: false`).",
        _ => "Refused; the error envelope says why.",
    };
}
