using System.Net.Http.Json;

namespace Tessera.LoadBench.Nodes;

/// <summary>The upload calls of the nodes benchmark; every answer must be a 200, anything else stops the run.</summary>
internal static class UploadRequests
{
    public static async Task<string> CreateAsync(HttpClient client, long bytes, CancellationToken cancellationToken) =>
        Scenarios.Id(await Scenarios.ReadOkAsync(
            await client.PostAsJsonAsync("uploads", new { filename = "nodes.bin", purpose = "assistants", bytes, mime_type = "application/octet-stream" }, cancellationToken),
            cancellationToken));

    /// <summary>Sends <paramref name="data"/> as one part; the buffer is sent as it is, never copied.</summary>
    public static async Task<string> SendPartAsync(HttpClient client, string uploadId, byte[] data, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(data), "data", "part" } };
        return Scenarios.Id(await Scenarios.ReadOkAsync(await client.PostAsync($"uploads/{uploadId}/parts", form, cancellationToken), cancellationToken));
    }

    /// <summary>Completes without an md5, so the server reads none of the bytes back.</summary>
    public static async Task<string> CompleteAsync(HttpClient client, string uploadId, IEnumerable<string> partIds, CancellationToken cancellationToken) =>
        Scenarios.Id((await Scenarios.ReadOkAsync(
            await client.PostAsJsonAsync($"uploads/{uploadId}/complete", new { part_ids = partIds.ToArray() }, cancellationToken),
            cancellationToken)).GetProperty("file"));
}
