using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Tessera.Server.Apis;

/// <summary>Up to <c>limit</c> items of a list that follow the item <c>after</c> names; null when no live item has that id.</summary>
internal delegate Task<ListChunk<T>?> ReadListChunkAsync<T>(string? after, int limit, CancellationToken cancellationToken);

/// <summary>Items read from the store in one call, and whether more follow them.</summary>
internal sealed record ListChunk<T>(IReadOnlyList<T> Items, bool HasMore);

/// <summary>
/// A page of a cursor-paged list (<c>{"data": [...], "has_more", "first_id", "last_id", "object": "list"}</c>, the
/// shape of <see cref="Tessera.Contracts.ListObject{T}"/>) read from the store and written to the response a chunk
/// at a time, so a request holds one chunk of items in memory whatever its <c>limit</c>, and a slow reader holds the
/// writing back rather than letting it pile up.
/// </summary>
internal sealed class StreamedList<T>(
    ListChunk<T> firstChunk, int limit, ReadListChunkAsync<T> readChunkAsync, JsonTypeInfo<T> itemJson, Func<T, string> id) : IResult
{
    public const int ChunkSize = 256;

    // The escaping of the HTTP JSON options (see TesseraServiceCollectionExtensions), so the text is what TypedResults.Ok wrote.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Reads the page's first chunk, before anything is written, so a bad <c>after</c> can still be answered with a
    /// 400. Null when <paramref name="after"/> names no live item.
    /// </summary>
    public static async Task<StreamedList<T>?> StartAsync(
        string? after, int limit, ReadListChunkAsync<T> readChunkAsync, JsonTypeInfo<T> itemJson, Func<T, string> id, CancellationToken cancellationToken) =>
        await readChunkAsync(after, Math.Min(limit, ChunkSize), cancellationToken) is { } first
            ? new StreamedList<T>(first, limit, readChunkAsync, itemJson, id)
            : null;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";

        await using var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions);
        writer.WriteStartObject();
        writer.WriteStartArray("data");
        string? firstId = null;
        string? lastId = null;
        var remaining = limit;
        var chunk = firstChunk;
        bool hasMore;
        while (true)
        {
            foreach (var item in chunk.Items)
            {
                JsonSerializer.Serialize(writer, item, itemJson);
            }

            if (chunk.Items.Count > 0)
            {
                firstId ??= id(chunk.Items[0]);
                lastId = id(chunk.Items[^1]);
            }

            remaining -= chunk.Items.Count;
            if (!chunk.HasMore || remaining == 0)
            {
                hasMore = chunk.HasMore;
                break;
            }

            writer.Flush();
            await response.BodyWriter.FlushAsync(cancellationToken);
            if (await ReadAfterAsync(chunk.Items, Math.Min(remaining, ChunkSize), cancellationToken) is not { } next)
            {
                // Every item of the chunk went away (deleted or expired) while the page was written: the page ends
                // here and says more may follow, since nothing can tell where the list resumes.
                hasMore = true;
                break;
            }

            chunk = next;
        }

        writer.WriteEndArray();
        writer.WriteBoolean("has_more", hasMore);
        writer.WriteString("first_id", firstId);
        writer.WriteString("last_id", lastId);
        writer.WriteString("object", "list");
        writer.WriteEndObject();
        writer.Flush();
        await response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// The chunk that follows the items written last. The cursor is the last of them still alive, as one deleted since
    /// it was read no longer marks a place in the list; null when none of them is.
    /// </summary>
    private async Task<ListChunk<T>?> ReadAfterAsync(IReadOnlyList<T> written, int count, CancellationToken cancellationToken)
    {
        for (var i = written.Count - 1; i >= 0; i--)
        {
            if (await readChunkAsync(id(written[i]), count, cancellationToken) is { } next)
            {
                return next;
            }
        }

        return null;
    }
}
