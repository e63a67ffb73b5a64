using System.Globalization;
using System.Text.RegularExpressions;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Scrubbing;

/// <summary>
/// <c>Tessera.Server scrub</c> run as an operator runs it, on a data folder a server wrote and then left: one round,
/// a summary, and an exit code that says whether anything is damaged.
/// </summary>
[Trait(StorageTraits.Name, StorageTraits.Embedded)]
public sealed partial class ScrubCommandTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _root = Directory.CreateTempSubdirectory("tessera-scrub-").FullName;

    private string DataPath => Path.Combine(_root, "data");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Scrub_of_an_intact_store_exits_0_with_a_summary_of_what_it_checked()
    {
        await StoreFilesAsync(Api.RandomBytes(300), Api.RandomBytes(700));

        await using var scrub = ServerProcess.Start(["scrub", $"--Tessera:DataPath={DataPath}"]);

        Assert.Equal(0, await scrub.WaitForExitAsync(Deadline));
        Assert.Contains("Scrub finished: 2 blobs checked (1000 bytes), 0 damaged, 0 missing, 0 unchecked (stored before checksums were kept).", scrub.Output);
        Assert.Empty(scrub.Errors);
    }

    [Fact]
    public async Task Scrub_of_a_store_with_a_flipped_byte_exits_1_naming_the_file_and_blob_but_no_path()
    {
        var (fileIds, blobKeys) = await StoreFilesAsync(Api.RandomBytes(300), Api.RandomBytes(700));
        TesseraTestServer.FlipByteInFolderStore(DataPath, blobKeys[1], 699);

        await using var scrub = ServerProcess.Start(["scrub", $"--Tessera:DataPath={DataPath}"]);

        Assert.Equal(1, await scrub.WaitForExitAsync(Deadline));
        Assert.Contains("Scrub finished: 2 blobs checked (1000 bytes), 1 damaged, 0 missing, 0 unchecked (stored before checksums were kept).", scrub.Output);
        var named = Assert.Single(scrub.Output, line => line.Contains(blobKeys[1]));
        Assert.Contains($"file {fileIds[1]}", named);
        Assert.Contains("damaged", named);
        Assert.DoesNotContain(_root, named);
        Assert.DoesNotContain(scrub.Output, line => line.Contains(blobKeys[0]));
    }

    [Fact]
    public async Task Scrub_reads_no_faster_than_MaxBytesPerSecond()
    {
        // 16 KiB at 4 KiB a second: one second's worth at once, then three more seconds at least.
        await StoreFilesAsync(Api.RandomBytes(16 * 1024));

        await using var scrub = ServerProcess.Start(["scrub", $"--Tessera:DataPath={DataPath}", "--Tessera:Scrub:MaxBytesPerSecond=4096"]);

        Assert.Equal(0, await scrub.WaitForExitAsync(Deadline));
        // The round's own duration, as its last log line gives it: the process's start-up is not the scrub's reading.
        var finished = Assert.Single(scrub.Output, line => line.Contains("Scrub round finished in ", StringComparison.Ordinal));
        var seconds = double.Parse(RoundSeconds().Match(finished).Groups[1].Value.Replace(',', '.'), CultureInfo.InvariantCulture);
        Assert.True(seconds >= 2, $"16 KiB at 4 KiB/s took {seconds} s: {finished}");
    }

    [Theory]
    [InlineData("--Tessera:Scrub:MaxBytesPerSecond=0")]
    [InlineData("--Tessera:Scrub:MaxBytesPerSecond=fast")]
    public async Task Scrub_with_a_bad_MaxBytesPerSecond_exits_2_naming_the_setting_before_touching_the_data_folder(string setting)
    {
        await using var scrub = ServerProcess.Start(["scrub", $"--Tessera:DataPath={DataPath}", setting]);

        Assert.Equal(2, await scrub.WaitForExitAsync(Deadline));
        var line = Assert.Single(scrub.Errors);
        Assert.StartsWith("Tessera cannot start: ", line);
        Assert.Contains("Tessera:Scrub:MaxBytesPerSecond", line);
        Assert.False(Directory.Exists(DataPath));
    }

    [Fact]
    public async Task Scrub_while_a_server_holds_the_data_folder_checks_nothing_and_exits_3()
    {
        await using var server = await TesseraTestServer.StartAsync(dataPath: DataPath);

        await using var scrub = ServerProcess.Start(["scrub", $"--Tessera:DataPath={DataPath}"]);

        Assert.Equal(3, await scrub.WaitForExitAsync(Deadline));
        Assert.DoesNotContain(scrub.Output, line => line.StartsWith("Scrub finished", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [GeneratedRegex(@"Scrub round finished in ([0-9]+[.,][0-9]) s")]
    private static partial Regex RoundSeconds();

    /// <summary>Stores each content as a file through a server on the data folder, then stops the server.</summary>
    private async Task<(string[] FileIds, string[] BlobKeys)> StoreFilesAsync(params byte[][] contents)
    {
        await using var server = await TesseraTestServer.StartAsync(dataPath: DataPath);
        using var client = server.CreateClient();
        var fileIds = new List<string>();
        var blobKeys = new List<string>();
        foreach (var content in contents)
        {
            var fileId = (await client.UploadFileAsync(content)).Id();
            fileIds.Add(fileId);
            blobKeys.Add(Assert.Single(await server.Metadata.ListFileSegmentsAsync(fileId, Token)).BlobKey);
        }

        return ([.. fileIds], [.. blobKeys]);
    }
}
