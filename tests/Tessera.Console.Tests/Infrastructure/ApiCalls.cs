using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>The API calls tests make to set the scene and to check, on the server's side, what the page did.</summary>
internal static class ApiCalls
{
    /// <summary>Creates an upload of <paramref name="content"/> in one part and completes it; returns the file's id.</summary>
    public static async Task<string> UploadFileAsync(this HttpClient client, string filename, byte[] content, string purpose = "assistants")
    {
        var uploadId = await client.CreateUploadAsync(filename, content.Length, purpose);
        using var form = new MultipartFormDataContent();
        var data = new ByteArrayContent(content);
        data.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(data, "data", "blob");
        using var part = await client.PostAsync($"uploads/{uploadId}/parts", form, TestContext.Current.CancellationToken);
        var partId = (await part.ShouldSucceedAsync()).GetProperty("id").GetString()!;
        using var complete = await client.PostAsJsonAsync($"uploads/{uploadId}/complete", new { part_ids = new[] { partId } }, TestContext.Current.CancellationToken);
        return (await complete.ShouldSucceedAsync()).GetProperty("file").GetProperty("id").GetString()!;
    }

    /// <summary>Creates a pending upload; returns its id.</summary>
    public static async Task<string> CreateUploadAsync(this HttpClient client, string filename, long bytes, string purpose = "assistants")
    {
        using var response = await client.PostAsJsonAsync("uploads",
            new { filename, purpose, bytes, mime_type = "application/octet-stream" }, TestContext.Current.CancellationToken);
        return (await response.ShouldSucceedAsync()).GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        return await response.ShouldSucceedAsync();
    }

    /// <summary>How many parts the server holds for the upload (<c>GET /uploads/{id}/parts</c>).</summary>
    public static async Task<int> StoredPartCountAsync(this HttpClient client, string uploadId) =>
        (await client.GetJsonAsync($"uploads/{uploadId}/parts?limit=10000")).GetProperty("data").GetArrayLength();

    public static async Task<HttpStatusCode> StatusOfAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    public static async Task<JsonElement> ShouldSucceedAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200 from {response.RequestMessage?.RequestUri}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
