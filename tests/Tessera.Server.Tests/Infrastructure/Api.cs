using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>The API calls tests make, over plain HTTP, and the checks every answer gets.</summary>
public static class Api
{
    public static async Task<JsonElement> CreateUploadAsync(this HttpClient client, long bytes, string purpose = "assistants", string filename = "data.bin", object? expiresAfter = null)
    {
        object body = expiresAfter is null
            ? new { filename, purpose, bytes, mime_type = "application/octet-stream" }
            : new { filename, purpose, bytes, mime_type = "application/octet-stream", expires_after = expiresAfter };
        using var response = await client.PostAsJsonAsync("uploads", body);
        return await response.ShouldSucceedAsync();
    }

    public static Task<HttpResponseMessage> PostPartAsync(this HttpClient client, string uploadId, byte[] data) =>
        client.PostAsync($"uploads/{uploadId}/parts", PartForm(data));

    public static async Task<string> AddPartAsync(this HttpClient client, string uploadId, byte[] data)
    {
        using var response = await client.PostPartAsync(uploadId, data);
        return (await response.ShouldSucceedAsync()).GetProperty("id").GetString()!;
    }

    public static Task<HttpResponseMessage> PostCompleteAsync(this HttpClient client, string uploadId, IEnumerable<string> partIds, string? md5 = null) =>
        client.PostAsJsonAsync($"uploads/{uploadId}/complete",
            md5 is null ? (object)new { part_ids = partIds.ToArray() } : new { part_ids = partIds.ToArray(), md5 });

    public static async Task<JsonElement> CompleteAsync(this HttpClient client, string uploadId, IEnumerable<string> partIds, string? md5 = null)
    {
        using var response = await client.PostCompleteAsync(uploadId, partIds, md5);
        return await response.ShouldSucceedAsync();
    }

    public static Task<HttpResponseMessage> PostCancelAsync(this HttpClient client, string uploadId) =>
        client.PostAsync($"uploads/{uploadId}/cancel", null);

    /// <summary>Creates an upload of <paramref name="content"/> in one part and completes it; returns the file.</summary>
    public static async Task<JsonElement> UploadFileAsync(this HttpClient client, byte[] content, string purpose = "assistants", string filename = "data.bin")
    {
        var upload = await client.CreateUploadAsync(content.Length, purpose, filename);
        var uploadId = upload.Id();
        var parts = content.Length == 0 ? [] : new[] { await client.AddPartAsync(uploadId, content) };
        return (await client.CompleteAsync(uploadId, parts)).GetProperty("file");
    }

    public static MultipartFormDataContent PartForm(byte[] data, string field = "data")
    {
        var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, field, "blob");
        return form;
    }

    public static string Id(this JsonElement element) => element.GetProperty("id").GetString()!;

    public static string Md5Hex(byte[] data) => Convert.ToHexStringLower(MD5.HashData(data));

    public static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Asserts a 200 with a JSON body and a request id; returns the body.</summary>
    public static async Task<JsonElement> ShouldSucceedAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType);
        response.ShouldHaveRequestId();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts OpenAI's error envelope, exactly its four keys, with the given status, type, param and code.</summary>
    public static async Task<JsonElement> ShouldFailAsync(
        this HttpResponseMessage response, HttpStatusCode status, string? param, string? code = null, string type = "invalid_request_error")
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        response.ShouldHaveRequestId();
        var root = JsonDocument.Parse(text).RootElement;
        Assert.Equal(["error"], root.EnumerateObject().Select(p => p.Name));
        var error = root.GetProperty("error");
        Assert.Equal(["message", "type", "param", "code"], error.EnumerateObject().Select(p => p.Name));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        return error.Clone();
    }

    public static void ShouldHaveRequestId(this HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues("x-request-id", out var values), "x-request-id is missing");
        Assert.Matches("^req_[0-9a-f]{32}$", values.Single());
    }
}
