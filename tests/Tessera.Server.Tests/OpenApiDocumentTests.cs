using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Tessera.Server.OpenApi;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> against OpenAI's own subset (tests/openai-openapi) and against the
/// routes the server really maps.
/// </summary>
public sealed partial class OpenApiDocumentTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    public static readonly TheoryData<string> SharedSchemas =
    [
        "Upload", "UploadPart", "OpenAIFile", "ListFilesResponse", "DeleteFileResponse",
        "CreateUploadRequest", "CompleteUploadRequest", "AddUploadPartRequest", "CreateFileRequest",
    ];

    /// <summary>
    /// Values Tessera accepts or writes beyond OpenAI's enumerations (docs/api.md section 3 and
    /// tests/openai-openapi/README.md): every SDK sends user_data and evals on create, and a file keeps its purpose.
    /// </summary>
    private static readonly Dictionary<string, string[]> ExtraEnumValues = new()
    {
        ["CreateUploadRequest.purpose"] = ["user_data", "evals"],
        ["OpenAIFile.purpose"] = ["evals"],
    };

    /// <summary>
    /// Keys Tessera writes (or accepts) as null where OpenAI's subset types them without null: a file that never
    /// expires, the deprecated status_details, the ids of an empty page (docs/api.md section 3), and a request's
    /// optional fields sent as null.
    /// </summary>
    private static readonly HashSet<string> NullableOnlyInTessera =
    [
        "OpenAIFile.expires_at", "OpenAIFile.status_details", "ListFilesResponse.first_id", "ListFilesResponse.last_id",
        "CreateUploadRequest.expires_after", "CompleteUploadRequest.md5",
    ];

    private readonly TesseraTestServer _server = fixture.Server;

    [Fact]
    public async Task The_document_is_served_as_OpenAPI_3_JSON_without_a_key()
    {
        using var client = new HttpClient { BaseAddress = _server.Root };
        using var response = await client.GetAsync("openapi/v1.json", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("3.", json.RootElement.GetProperty("openapi").GetString());
    }

    [Fact]
    public async Task The_document_validates()
    {
        var (document, diagnostic) = await LoadServedAsync();

        Assert.Empty(diagnostic.Errors.Select(error => $"{error.Pointer}: {error.Message}"));
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet()).Select(error => $"{error.Pointer}: {error.Message}"));
    }

    [Theory]
    [MemberData(nameof(SharedSchemas))]
    public async Task A_shared_schema_has_OpenAI_s_properties_required_keys_types_and_enumerations(string name)
    {
        var openAi = await LoadOpenAiSubsetAsync();
        var (ours, _) = await LoadServedAsync();

        var expected = SchemaOutline.Of(openAi.Components!.Schemas![name], name);
        Assert.True(ours.Components?.Schemas?.ContainsKey(name), $"no schema {name} among the document's components");
        var actual = SchemaOutline.Of(ours.Components!.Schemas![name], name, NullableOnlyInTessera, ExtraEnumValues);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task The_error_envelope_has_OpenAI_s_shape()
    {
        var (ours, _) = await LoadServedAsync();
        // OpenAI's ErrorResponse and Error (openai/openai-openapi), which the kept subset does not reference.
        string[] expected =
        [
            "ErrorResponse: object",
            "ErrorResponse required: error",
            "ErrorResponse.error: object",
            "Error required: code, message, param, type",
            "Error.code: string nullable",
            "Error.message: string",
            "Error.param: string nullable",
            "Error.type: string",
        ];

        Assert.Equal(expected, SchemaOutline.Of(ours.Components!.Schemas!["ErrorResponse"], "ErrorResponse"));
        foreach (var (path, method, operation) in Operations(ours))
        {
            foreach (var (status, response) in operation.Responses!.Where(r => r.Key.StartsWith('4') || r.Key.StartsWith('5')))
            {
                var schema = Lookup(response.Content, "application/json")?.Schema as OpenApiSchemaReference;
                Assert.True(schema?.Reference.Id == "ErrorResponse", $"{method} {path} answers {status} without the error envelope");
            }
        }
    }

    [Fact]
    public async Task OpenAI_s_operations_have_their_ids_paths_status_codes_and_body_types()
    {
        var openAi = await LoadOpenAiSubsetAsync();
        var (ours, _) = await LoadServedAsync();

        Assert.Contains(ours.Servers!, server => server.Url == "/v1");
        foreach (var (path, method, expected) in Operations(openAi))
        {
            var actual = Lookup(Lookup(ours.Paths, path)?.Operations, method);
            Assert.True(actual is not null, $"{method} {path} is not described");
            Assert.Equal(expected.OperationId, actual.OperationId);
            Assert.Subset(actual.Responses!.Keys.ToHashSet(), expected.Responses!.Keys.ToHashSet());
            Assert.Equal((expected.RequestBody?.Content?.Keys ?? []).Order(), (actual.RequestBody?.Content?.Keys ?? []).Order());
            // Beside OpenAI's parameters, only Tessera's own optional headers (the checksum, docs/api.md section 6).
            Assert.Equal(
                (expected.Parameters ?? []).Select(p => $"{p.In} {p.Name}").Order(),
                (actual.Parameters ?? []).Where(p => !(p.In == ParameterLocation.Header && p.Name!.StartsWith("x-tessera-", StringComparison.Ordinal) && !p.Required))
                    .Select(p => $"{p.In} {p.Name}").Order());
        }
    }

    [Fact]
    public async Task Every_operation_needs_OpenAI_s_bearer_scheme()
    {
        var (ours, _) = await LoadServedAsync();

        var scheme = ours.Components!.SecuritySchemes!["ApiKeyAuth"];
        Assert.Equal(SecuritySchemeType.Http, scheme.Type);
        Assert.Equal("bearer", scheme.Scheme);
        var requirement = Assert.Single(ours.Security!);
        Assert.Equal("ApiKeyAuth", Assert.Single(requirement.Keys).Reference.Id);
    }

    [Fact]
    public async Task Every_route_mapped_under_v1_is_described_with_an_operation_id_and_its_answer()
    {
        var (ours, _) = await LoadServedAsync();
        var routes = _server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true)
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods
                .Select(method => (Method: method, Path: SnakeCasePath(endpoint.RoutePattern.RawText!["/v1".Length..].TrimEnd('/')))))
            .ToList();

        Assert.NotEmpty(routes);
        foreach (var (method, path) in routes)
        {
            var operation = Lookup(Lookup(ours.Paths, path)?.Operations, HttpMethod.Parse(method));
            Assert.True(operation is not null, $"{method} /v1{path} is mapped but not described");
            Assert.False(string.IsNullOrEmpty(operation.OperationId), $"{method} /v1{path} has no operation id");
            var answer = Lookup(operation.Responses, "200");
            Assert.True(answer?.Content is { Count: > 0 }, $"{method} /v1{path} does not describe its 200 answer");
        }
    }

    [Fact]
    public async Task Every_multipart_operation_describes_its_form_fields()
    {
        var openAi = await LoadOpenAiSubsetAsync();
        var (ours, _) = await LoadServedAsync();
        var multipartRoutes = _server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true)
            .Select(endpoint => (Form: endpoint.Metadata.GetMetadata<MultipartForm>(), Path: SnakeCasePath(endpoint.RoutePattern.RawText!["/v1".Length..].TrimEnd('/'))))
            .Where(route => route.Form is not null)
            .ToList();
        var openAiMultipart = Operations(openAi).Where(o => o.Operation.RequestBody?.Content?.ContainsKey("multipart/form-data") == true).ToList();

        // Every form a handler reads is in the document, field by field.
        Assert.NotEmpty(multipartRoutes);
        foreach (var (form, path) in multipartRoutes)
        {
            var body = Lookup(Lookup(ours.Paths, path)?.Operations, HttpMethod.Post)?.RequestBody;
            var schema = Lookup(body?.Content, "multipart/form-data")?.Schema;
            Assert.True(schema is OpenApiSchemaReference, $"POST {path} has no multipart/form-data body among the components");
            Assert.Equal(form!.SchemaName, ((OpenApiSchemaReference)schema).Reference.Id);
            Assert.Equal(form.Fields.Select(field => field.Name).Order(), schema.Properties!.Keys.Order());
        }

        // OpenAI's multipart operations have OpenAI's fields, with the same types, enumerations and required ones.
        Assert.NotEmpty(openAiMultipart);
        foreach (var (path, method, expected) in openAiMultipart)
        {
            var actual = Lookup(ours.Paths[path].Operations![method].RequestBody?.Content, "multipart/form-data");
            Assert.True(actual?.Schema is not null, $"{method} {path} has no multipart/form-data body");
            var name = expected.OperationId!;
            Assert.Equal(
                SchemaOutline.Of(expected.RequestBody!.Content!["multipart/form-data"].Schema!, name),
                SchemaOutline.Of(actual.Schema, name, NullableOnlyInTessera, ExtraEnumValues));
        }
    }

    [Fact]
    public async Task A_client_that_follows_the_documented_multipart_bodies_is_served()
    {
        var (ours, _) = await LoadServedAsync();
        using var client = _server.CreateClient();
        var upload = await client.CreateUploadAsync(3);

        using (var partForm = FormFromDocument(ours, "/uploads/{upload_id}/parts"))
        {
            using var part = await client.PostAsync($"uploads/{upload.Id()}/parts", partForm, TestContext.Current.CancellationToken);
            Assert.Equal("upload.part", (await part.ShouldSucceedAsync()).GetProperty("object").GetString());
        }

        using var fileForm = FormFromDocument(ours, "/files");
        using var file = await client.PostAsync("files", fileForm, TestContext.Current.CancellationToken);
        Assert.Equal(3, (await file.ShouldSucceedAsync()).GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task The_project_usage_extension_is_described_with_its_shape()
    {
        var (ours, _) = await LoadServedAsync();
        var answer = ours.Paths["/project/usage"].Operations![HttpMethod.Get].Responses!["200"].Content!["application/json"].Schema!;
        // Whatever the types are called: lines without their component names.
        var outline = SchemaOutline.Of(answer, "usage").Select(line => ComponentName().Replace(line, ""));

        string[] expected =
        [
            "usage: object",
            "required: limits, object, project, usage",
            "limits: object",
            "required: bytes, files, pending_uploads",
            "bytes: integer nullable", "files: integer nullable", "pending_uploads: integer nullable",
            "object: string",
            "project: string",
            "usage: object",
            "required: bytes, files, pending_uploads",
            "bytes: integer", "files: integer", "pending_uploads: integer",
        ];
        Assert.Equal(expected, outline);
    }

    [Fact]
    public async Task The_pending_uploads_extension_is_described_with_its_paging_query_and_received_bytes()
    {
        var (ours, _) = await LoadServedAsync();
        var operation = ours.Paths["/uploads"].Operations![HttpMethod.Get];
        var answer = operation.Responses!["200"].Content!["application/json"].Schema!;
        var outline = SchemaOutline.Of(answer, "list").Select(line => ComponentName().Replace(line, "")).ToList();

        Assert.Equal("listUploads", operation.OperationId);
        Assert.Equal(["Query after", "Query limit", "Query order"], (operation.Parameters ?? []).Select(p => $"{p.In} {p.Name}").Order());
        Assert.Contains("received_bytes: integer", outline);
        Assert.Contains("required: bytes, created_at, expires_at, filename, id, object, purpose, received_bytes, status", outline);
        Assert.Contains("status: string enum pending", outline);
    }

    [Fact]
    public async Task The_checksum_header_is_described_where_requests_send_it_and_answers_carry_it()
    {
        var (ours, _) = await LoadServedAsync();
        OpenApiOperation Operation(string path, HttpMethod method) => (OpenApiOperation)ours.Paths[path].Operations![method];
        string[] RequestHeaders(OpenApiOperation operation) => [.. (operation.Parameters ?? []).Where(p => p.In == ParameterLocation.Header).Select(p => p.Name!)];
        string[] AnswerHeaders(OpenApiOperation operation, string status) => [.. operation.Responses![status].Headers?.Keys ?? []];

        foreach (var (path, method) in new[] { ("/uploads/{upload_id}/parts", HttpMethod.Post), ("/uploads/{upload_id}/complete", HttpMethod.Post), ("/files", HttpMethod.Post) })
        {
            Assert.Equal(["x-tessera-checksum-crc32c"], RequestHeaders(Operation(path, method)));
            Assert.Equal(["x-tessera-checksum-crc32c"], AnswerHeaders(Operation(path, method), "200"));
        }

        var content = Operation("/files/{file_id}/content", HttpMethod.Get);
        Assert.Empty(RequestHeaders(content));
        Assert.Equal(["x-tessera-checksum-crc32c"], AnswerHeaders(content, "206"));
        Assert.Empty(AnswerHeaders(Operation("/uploads/{upload_id}/cancel", HttpMethod.Post), "200"));
    }

    [Fact]
    public async Task The_document_is_rendered_once()
    {
        var rendered = _server.Services.GetRequiredService<RenderedOpenApiDocument>();
        var first = await rendered.GetAsync(TestContext.Current.CancellationToken);
        using var client = new HttpClient { BaseAddress = _server.Root };
        var served = await client.GetByteArrayAsync("openapi/v1.json", TestContext.Current.CancellationToken);

        Assert.Same(first, await rendered.GetAsync(TestContext.Current.CancellationToken));
        Assert.Equal(first, served);
    }

    /// <summary>A form with every field the document's schema names: 3 bytes for a binary field, the first allowed value for a text one.</summary>
    private static MultipartFormDataContent FormFromDocument(OpenApiDocument document, string path)
    {
        var schema = document.Paths[path].Operations![HttpMethod.Post].RequestBody!.Content!["multipart/form-data"].Schema!;
        var form = new MultipartFormDataContent();
        foreach (var field in schema.Required!)
        {
            var property = schema.Properties![field];
            if (property.Format == "binary")
            {
                var bytes = new ByteArrayContent([1, 2, 3]);
                bytes.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(bytes, field, "from-the-document.bin");
            }
            else
            {
                form.Add(new StringContent(property.Enum![0]!.GetValue<string>()), field);
            }
        }

        return form;
    }

    private static TValue? Lookup<TKey, TValue>(IDictionary<TKey, TValue>? dictionary, TKey key) where TKey : notnull =>
        dictionary is not null && dictionary.TryGetValue(key, out var value) ? value : default;

    private static IEnumerable<(string Path, HttpMethod Method, OpenApiOperation Operation)> Operations(OpenApiDocument document) =>
        document.Paths.SelectMany(path => (path.Value.Operations ?? []).Select(operation => (path.Key, operation.Key, operation.Value)));

    private async Task<(OpenApiDocument Document, OpenApiDiagnostic Diagnostic)> LoadServedAsync()
    {
        using var client = new HttpClient { BaseAddress = _server.Root };
        await using var json = await client.GetStreamAsync("openapi/v1.json", TestContext.Current.CancellationToken);
        var result = await OpenApiDocument.LoadAsync(json, "json", cancellationToken: TestContext.Current.CancellationToken);
        return (result.Document!, result.Diagnostic!);
    }

    private static async Task<OpenApiDocument> LoadOpenAiSubsetAsync()
    {
        await using var json = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "openai-openapi", "uploads-files.json"));
        var result = await OpenApiDocument.LoadAsync(json, "json", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(result.Diagnostic!.Errors);
        return result.Document!;
    }

    /// <summary><c>/uploads/{uploadId}</c> as OpenAI writes it: <c>/uploads/{upload_id}</c>.</summary>
    private static string SnakeCasePath(string path) =>
        RouteParameter().Replace(path, match => "{" + UpperLetter().Replace(match.Groups[1].Value, upper => "_" + upper.Value.ToLowerInvariant()) + "}");

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"^\w+(\.| (?=required))")]
    private static partial Regex ComponentName();

    [GeneratedRegex("[A-Z]")]
    private static partial Regex UpperLetter();
}
