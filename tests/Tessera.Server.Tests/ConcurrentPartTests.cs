using Microsoft.Data.Sqlite;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Many parts of one upload arriving at once share the disk flushes that make them durable; each part's answer must
/// still mean that its bytes and its name are on disk.
/// </summary>
[Trait(StorageTraits.Name, StorageTraits.Embedded)]
public sealed class ConcurrentPartTests
{
    private static readonly Dictionary<string, string> QuietSweeper = new() { ["Tessera:Sweeper:IntervalSeconds"] = "3600" };

    [Fact]
    public async Task Parts_answered_to_64_concurrent_senders_complete_into_the_right_file_from_a_copy_taken_right_after_the_answers()
    {
        var dataPath = Directory.CreateTempSubdirectory("tessera-parts-").FullName;
        var copyPath = Directory.CreateTempSubdirectory("tessera-parts-copy-").FullName;
        try
        {
            // Enough parts that several land in the same shard folder while its flush is in flight.
            var chunks = Enumerable.Range(0, 256).Select(_ => Api.RandomBytes(1024)).ToArray();
            var whole = chunks.SelectMany(c => c).ToArray();
            string uploadId;
            string[] partIds;
            await using (var server = await TesseraTestServer.StartAsync(settings: QuietSweeper, dataPath: dataPath))
            {
                using var client = server.CreateClient();
                uploadId = (await client.CreateUploadAsync(whole.Length)).Id();
                using var senders = new SemaphoreSlim(64);
                partIds = await Task.WhenAll(chunks.Select(async chunk =>
                {
                    await senders.WaitAsync(TestContext.Current.CancellationToken);
                    try
                    {
                        return await client.AddPartAsync(uploadId, chunk);
                    }
                    finally
                    {
                        senders.Release();
                    }
                }));

                // What a crash at this moment would leave: the server is still running and has closed nothing.
                DataFolderCopies.Copy(dataPath, copyPath);
            }

            await using var restarted = await TesseraTestServer.StartAsync(settings: QuietSweeper, dataPath: copyPath);
            using var reader = restarted.CreateClient();
            var file = (await reader.CompleteAsync(uploadId, partIds, Api.Md5Hex(whole))).GetProperty("file");
            Assert.Equal(whole, await reader.GetByteArrayAsync($"files/{file.Id()}/content", TestContext.Current.CancellationToken));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            DataFolderCopies.TryDelete(dataPath);
            DataFolderCopies.TryDelete(copyPath);
        }
    }
}
