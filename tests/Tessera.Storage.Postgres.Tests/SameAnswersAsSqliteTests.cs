using System.Text.Json;
using Tessera.Domain;
using Tessera.Storage.Sqlite;

namespace Tessera.Storage.Postgres.Tests;

/// <summary>
/// One script of ordinary calls played against the embedded SQLite store and against PostgreSQL: every answer must
/// be the same, so a deployment can move from one to the other without a client noticing.
/// </summary>
public sealed class SameAnswersAsSqliteTests
{
    private const long Now = 1_700_000_000;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostgreSQL_answers_every_call_of_the_script_as_SQLite_does()
    {
        var folder = Directory.CreateTempSubdirectory("tessera-sqlite-");
        try
        {
            using var sqlite = new SqliteMetadataStore(Path.Combine(folder.FullName, "tessera.db"));
            await sqlite.InitializeAsync(Token);
            await using var postgres = await Nodes.StartAsync(count: 1);

            var expected = await PlayAsync(sqlite);
            var actual = await PlayAsync(postgres.A);

            Assert.Equal(expected.Count, actual.Count);
            for (var line = 0; line < expected.Count; line++)
            {
                Assert.Equal(expected[line], actual[line]);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Plays the script; answers one line per call, naming the call and what it answered.</summary>
    private static async Task<List<string>> PlayAsync(IMetadataStore store)
    {
        var transcript = new List<string>();
        void Note(string call, object? answer) => transcript.Add($"{call}: {JsonSerializer.Serialize(answer)}");

        var (completed, cancelled, expiring) = (Upload("u1", expiresAt: Now + 3600), Upload("u2", expiresAt: Now + 3600), Upload("u3", expiresAt: Now + 10));
        foreach (var upload in new[] { completed, cancelled, expiring })
        {
            await store.CreateUploadAsync(upload, Token);
        }

        Note("find own", await store.FindUploadAsync("alpha", "u1", Token));
        Note("find other project's", await store.FindUploadAsync("beta", "u1", Token));
        Note("find missing", await store.FindUploadAsync("alpha", "nope", Token));

        Note("add p1", await store.AddPartAsync(Part("p1", "u1", 10, Now + 1), 25, Now + 1, Token));
        Note("add p2", await store.AddPartAsync(Part("p2", "u1", 10, Now + 1), 25, Now + 1, Token));
        Note("add p3 over limit", await store.AddPartAsync(Part("p3", "u1", 10, Now + 2), 25, Now + 2, Token));
        Note("add p0 earlier", await store.AddPartAsync(Part("p0", "u1", 5, Now), 25, Now + 2, Token));
        Note("add to missing", await store.AddPartAsync(Part("px", "nope", 1, Now), 25, Now, Token));
        await store.SetPartCrc32CAsync("p1", 0xE3069283, Token);
        Note("parts u1", await store.ListPartsAsync("u1", Token));
        Note("sum u1", await store.SumPartBytesAsync("u1", Token));
        Note("sum missing", await store.SumPartBytesAsync("nope", Token));

        Note("complete u1", await store.CompleteUploadAsync("u1", ["p2", "p1"], File("f1", Now + 3, 20, null), Now + 3, Token));
        Note("complete u1 again", await store.CompleteUploadAsync("u1", ["p2", "p1"], File("f1b", Now + 3, 20, null), Now + 3, Token));
        Note("cancel completed", await store.CancelUploadAsync("u1", Now + 3, Token));
        Note("add to completed", await store.AddPartAsync(Part("p4", "u1", 1, Now + 3), 25, Now + 3, Token));
        Note("parts after complete", await store.ListPartsAsync("u1", Token));
        Note("segments f1", await store.ListFileSegmentsAsync("f1", Token));
        Note("find u1", await store.FindUploadAsync("alpha", "u1", Token));

        Note("add p5", await store.AddPartAsync(Part("p5", "u2", 7, Now), 100, Now, Token));
        Note("cancel u2", await store.CancelUploadAsync("u2", Now + 4, Token));
        Note("cancel u2 again", await store.CancelUploadAsync("u2", Now + 4, Token));
        Note("complete cancelled", await store.CompleteUploadAsync("u2", ["p5"], File("f2x", Now, 7, null), Now + 4, Token));
        Note("cancel missing", await store.CancelUploadAsync("nope", Now, Token));

        Note("add p6", await store.AddPartAsync(Part("p6", "u3", 3, Now), 100, Now, Token));
        Note("add to expired", await store.AddPartAsync(Part("p7", "u3", 3, Now + 10), 100, Now + 10, Token));
        Note("cancel expired", await store.CancelUploadAsync("u3", Now + 11, Token));

        await store.CreateFileAsync(File("f2", Now + 5, 1, null), new FileSegment("b-f2", 1), Token);
        await store.CreateFileAsync(File("f3", Now + 5, 2, Now + 50, purpose: "assistants"), new FileSegment("b-f3", 2), Token);
        await store.CreateFileAsync(File("f4", Now + 6, 3, Now + 8), new FileSegment("b-f4", 3), Token);
        await store.CreateFileAsync(File("f5", Now + 7, 4, null), new FileSegment("b-f5", 4), Token);
        await store.CreateFileAsync(File("f6", Now + 5, 5, null, project: "beta"), new FileSegment("b-f6", 5), Token);
        foreach (var (name, query) in new (string, FileListQuery)[]
        {
            ("newest two", new(null, 2, ListOrder.Descending, null)),
            ("after f5", new(null, 2, ListOrder.Descending, "f5")),
            ("after f2", new(null, 10, ListOrder.Descending, "f2")),
            ("oldest first", new(null, 10, ListOrder.Ascending, null)),
            ("ascending after f3", new(null, 1, ListOrder.Ascending, "f3")),
            ("purpose", new("assistants", 10, ListOrder.Descending, null)),
            ("after other project's", new(null, 10, ListOrder.Descending, "f6")),
            ("after missing", new(null, 10, ListOrder.Descending, "nope")),
        })
        {
            Note($"list {name}", await store.ListFilesAsync("alpha", query, Now + 9, Token));
        }

        Note("list after expired f4", await store.ListFilesAsync("alpha", new(null, 10, ListOrder.Descending, "f4"), Now + 9, Token));
        Note("find f3", await store.FindFileAsync("alpha", "f3", Now + 9, Token));
        Note("find expired f4", await store.FindFileAsync("alpha", "f4", Now + 9, Token));
        Note("find other project's f6", await store.FindFileAsync("alpha", "f6", Now + 9, Token));
        Note("delete expired f4", await store.DeleteFileAsync("alpha", "f4", Now + 9, Token));
        Note("delete f2", await store.DeleteFileAsync("alpha", "f2", Now + 9, Token));
        Note("delete f2 again", await store.DeleteFileAsync("alpha", "f2", Now + 9, Token));
        Note("delete other project's", await store.DeleteFileAsync("alpha", "f6", Now + 9, Token));

        Note("expire", await store.ExpireOverdueAsync(Now + 100, Token));
        Note("expire again", await store.ExpireOverdueAsync(Now + 100, Token));
        Note("find expired u3", await store.FindUploadAsync("alpha", "u3", Token));
        Note("parts of expired", await store.ListPartsAsync("u3", Token));

        var garbage = (await store.ListGarbageAsync(100, Token)).Order(StringComparer.Ordinal).ToList();
        Note("garbage", garbage);
        foreach (var blob in new[] { "b-p0", "b-p1", "b-p2", "b-p3", "b-p5", "b-p6", "b-f2", "b-f3", "b-f4", "b-f5", "b-none" })
        {
            Note($"referenced {blob}", await store.IsBlobReferencedAsync(blob, Token));
        }

        await store.ForgetGarbageAsync(garbage, Token);
        Note("garbage after forgetting", await store.ListGarbageAsync(100, Token));
        Note("b-p0 referenced after forgetting", await store.IsBlobReferencedAsync("b-p0", Token));
        return transcript;
    }

    private static Upload Upload(string id, long expiresAt) => new()
    {
        Id = id,
        ProjectId = "alpha",
        Filename = id + ".jsonl",
        Purpose = "batch",
        Bytes = 30,
        MimeType = "text/jsonl",
        CreatedAt = Now,
        ExpiresAt = expiresAt,
        Status = UploadStatus.Pending,
        FileExpiresAfterSeconds = id == "u1" ? 7200 : null,
    };

    private static UploadPart Part(string id, string uploadId, long bytes, long createdAt) => new()
    {
        Id = id,
        UploadId = uploadId,
        Bytes = bytes,
        CreatedAt = createdAt,
        BlobKey = "b-" + id,
    };

    private static StoredFile File(string id, long createdAt, long bytes, long? expiresAt, string purpose = "batch", string project = "alpha") => new()
    {
        Id = id,
        ProjectId = project,
        Filename = id + ".jsonl",
        Purpose = purpose,
        Bytes = bytes,
        CreatedAt = createdAt,
        ExpiresAt = expiresAt,
    };
}
