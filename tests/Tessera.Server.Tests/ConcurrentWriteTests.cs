using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Domain;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Many clients writing at once: the metadata store commits their writes together, and each answer must still mean
/// what it meant for a lone client (the write happened, alone if need be, and is on disk).
/// </summary>
[Trait(StorageTraits.Name, StorageTraits.Embedded)]
public sealed class ConcurrentWriteTests
{
    private static readonly Dictionary<string, string> QuietSweeper = new() { ["Tessera:Sweeper:IntervalSeconds"] = "3600" };

    [Fact]
    public async Task Every_write_answered_to_32_concurrent_clients_is_in_a_copy_of_the_data_folder_taken_right_after_the_answers()
    {
        var dataPath = Directory.CreateTempSubdirectory("tessera-concurrent-").FullName;
        var copyPath = Directory.CreateTempSubdirectory("tessera-concurrent-copy-").FullName;
        try
        {
            var cancelled = new List<string>();
            var completed = new List<(string FileId, byte[] Content)>();
            await using (var server = await TesseraTestServer.StartAsync(settings: QuietSweeper, dataPath: dataPath))
            {
                using var client = server.CreateClient();
                var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(worker => Task.Run(async () =>
                {
                    var mine = new List<(string? UploadId, string? FileId, byte[]? Content)>();
                    for (var round = 0; round < 6; round++)
                    {
                        if ((worker + round) % 2 == 0)
                        {
                            var uploadId = (await client.CreateUploadAsync(10)).Id();
                            await (await client.PostCancelAsync(uploadId)).ShouldSucceedAsync();
                            mine.Add((uploadId, null, null));
                        }
                        else
                        {
                            var content = Api.RandomBytes(1024);
                            var file = await client.UploadFileAsync(content);
                            mine.Add((null, file.Id(), content));
                        }
                    }

                    return mine;
                })));

                foreach (var (uploadId, fileId, content) in results.SelectMany(r => r))
                {
                    if (uploadId is not null)
                    {
                        cancelled.Add(uploadId);
                    }
                    else
                    {
                        completed.Add((fileId!, content!));
                    }
                }

                // What a crash at this moment would leave: the server is still running and has closed nothing.
                DataFolderCopies.Copy(dataPath, copyPath);
            }

            await using var restarted = await TesseraTestServer.StartAsync(settings: QuietSweeper, dataPath: copyPath);
            using var reader = restarted.CreateClient();
            Assert.Equal(96, cancelled.Count);
            Assert.Equal(96, completed.Count);
            foreach (var uploadId in cancelled)
            {
                var upload = await (await reader.GetAsync($"uploads/{uploadId}")).ShouldSucceedAsync();
                Assert.Equal("cancelled", upload.GetProperty("status").GetString());
            }

            foreach (var (fileId, content) in completed)
            {
                Assert.Equal(content, await reader.GetByteArrayAsync($"files/{fileId}/content"));
            }

            var listing = await (await reader.GetAsync("files")).ShouldSucceedAsync();
            Assert.Equal(completed.Select(c => c.FileId).Order(), listing.GetProperty("data").EnumerateArray().Select(f => f.Id()).Order());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            DataFolderCopies.TryDelete(dataPath);
            DataFolderCopies.TryDelete(copyPath);
        }
    }

    [Fact]
    public async Task A_write_that_fails_does_not_fail_the_writes_committed_with_it()
    {
        // Two creates get the same upload id, so exactly one of them must fail (the id is the table's key).
        var ids = new ScriptedUploadIds(duplicateAt: [12, 20]);
        await using var server = await TesseraTestServer.StartAsync(settings: QuietSweeper,
            configureServices: services => services.AddSingleton<IIdGenerator>(ids));
        using var client = server.CreateClient();

        // Another process holding the write lock makes the creates queue up, so they are committed together.
        Task<HttpResponseMessage>[] creates;
        await using (var lockHolder = new SqliteConnection($"Data Source={Path.Combine(server.DataPath, "tessera.db")};Pooling=False"))
        {
            await lockHolder.OpenAsync(TestContext.Current.CancellationToken);
            using var held = lockHolder.BeginTransaction(deferred: false);
            creates = [.. Enumerable.Range(0, 24).Select(_ => client.PostAsJsonAsync("uploads",
                new { filename = "a.bin", purpose = "assistants", bytes = 1, mime_type = "application/octet-stream" }))];
            await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        }

        var responses = await Task.WhenAll(creates);

        var failed = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToArray();
        var failure = Assert.Single(failed);
        Assert.Equal(HttpStatusCode.InternalServerError, failure.StatusCode);
        var created = new List<string>();
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.OK))
        {
            created.Add((await response.ShouldSucceedAsync()).Id());
        }

        Assert.Equal(23, created.Distinct().Count());
        foreach (var uploadId in created)
        {
            var upload = await (await client.GetAsync($"uploads/{uploadId}")).ShouldSucceedAsync();
            Assert.Equal("pending", upload.GetProperty("status").GetString());
        }
    }

    /// <summary>Numbered upload ids, except that the <paramref name="duplicateAt"/>-th ones (0-based) are the same id.</summary>
    private sealed class ScriptedUploadIds(int[] duplicateAt) : IIdGenerator
    {
        private readonly RandomIdGenerator _random = new();
        private int _next = -1;

        public string NewUploadId()
        {
            var n = Interlocked.Increment(ref _next);
            return "upload_" + (duplicateAt.Contains(n) ? duplicateAt[0] : n).ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
        }

        public string NewPartId() => _random.NewPartId();

        public string NewFileId() => _random.NewFileId();
    }
}
