using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;

namespace Tessera.LoadBench;

/// <summary>The requests the benchmark sends. Every answer must be a 200; anything else stops the run.</summary>
internal sealed class Scenarios(HttpClient client)
{
    private static readonly byte[] Kibibyte = [.. Enumerable.Range(0, 1024).Select(i => (byte)i)];

    /// <summary>Files made by <see cref="CreatePartCompleteAsync"/>, waiting for <see cref="DeleteMadeFileAsync"/>.</summary>
    private readonly ConcurrentQueue<string> _madeFiles = new();

    public int MadeFiles => _madeFiles.Count;

    public async Task SeedFileAsync(CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent { { new StringContent("assistants"), "purpose" }, { new ByteArrayContent(Kibibyte), "file", "seed.txt" } };
        await ReadOkAsync(await client.PostAsync("files", form, cancellationToken), cancellationToken);
    }

    public Task ListAsync(Timings timings, CancellationToken cancellationToken) =>
        timings.TimeAsync("list", async () => await ReadOkAsync(await client.GetAsync("files", cancellationToken), cancellationToken));

    public async Task CreateCancelAsync(Timings timings, CancellationToken cancellationToken)
    {
        var uploadId = await CreateUploadAsync(timings, cancellationToken);
        await timings.TimeAsync("cancel", async () => await ReadOkAsync(await client.PostAsync($"uploads/{uploadId}/cancel", null, cancellationToken), cancellationToken));
    }

    public async Task CreatePartCompleteAsync(Timings timings, CancellationToken cancellationToken)
    {
        var uploadId = await CreateUploadAsync(timings, cancellationToken);
        var part = await timings.TimeAsync("part", async () =>
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(Kibibyte), "data", "part" } };
            return await ReadOkAsync(await client.PostAsync($"uploads/{uploadId}/parts", form, cancellationToken), cancellationToken);
        });
        var completed = await timings.TimeAsync("complete", async () => await ReadOkAsync(
            await client.PostAsJsonAsync($"uploads/{uploadId}/complete", new { part_ids = new[] { Id(part) } }, cancellationToken), cancellationToken));
        _madeFiles.Enqueue(Id(completed.GetProperty("file")));
    }

    /// <summary>Deletes one file made by <see cref="CreatePartCompleteAsync"/>; false when none is left.</summary>
    public async Task<bool> DeleteMadeFileAsync(Timings timings, CancellationToken cancellationToken)
    {
        if (!_madeFiles.TryDequeue(out var fileId))
        {
            return false;
        }

        await timings.TimeAsync("delete", async () => await ReadOkAsync(await client.DeleteAsync($"files/{fileId}", cancellationToken), cancellationToken));
        return true;
    }

    private async Task<string> CreateUploadAsync(Timings timings, CancellationToken cancellationToken) =>
        Id(await timings.TimeAsync("create", async () => await ReadOkAsync(
            await client.PostAsJsonAsync("uploads", new { filename = "load.bin", purpose = "assistants", bytes = Kibibyte.Length, mime_type = "application/octet-stream" }, cancellationToken),
            cancellationToken)));

    internal static string Id(JsonElement element) => element.GetProperty("id").GetString()!;

    internal static async Task<JsonElement> ReadOkAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body}");
            }

            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
    }
}
