using System.Text.Json;
using Tessera.Client.Tests.Infrastructure;
using Tessera.Contracts;

namespace Tessera.Client.Tests;

/// <summary>
/// The chunked upload's and the content stream's CRC32C checks against a real server, through a proxy that damages
/// bytes on the way or hides the server's checksum announcement.
/// </summary>
public sealed class ChecksumTests : IAsyncLifetime
{
    private const int PartSize = 256 * 1024;

    private readonly TestFiles _files = new();
    private TesseraTestServer _server = null!;
    private ByteFlippingProxy _proxy = null!;
    private TesseraClient _client = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TesseraTestServer.StartAsync();
        _proxy = await ByteFlippingProxy.StartAsync(_server.Root);
        _proxy.PartsToDamage = 0;
        _client = new TesseraClient(new TesseraClientOptions
        {
            BaseUrl = _proxy.BaseAddress.ToString(),
            ApiKey = TesseraTestServer.KeyA,
            UseEnvironment = false,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        });
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
        await _server.DisposeAsync();
        _files.Dispose();
    }

    [Fact]
    public async Task A_part_damaged_in_transit_is_sent_again_and_the_file_arrives_intact()
    {
        var path = _files.Create("damaged.bin", 4 * PartSize + 99);
        _proxy.PartsToDamage = 1;

        var result = await _client.Uploads.UploadFileAsync(path, "batch", Options(), Token);

        var bytes = await File.ReadAllBytesAsync(path, Token);
        Assert.Equal(1, _proxy.PartsDamaged);
        Assert.Equal(1, result.PartsResent);
        Assert.Equal(6, _proxy.PartRequests);
        Assert.Equal(Crc32C.ToHeaderValue(Crc32C.Compute(bytes)), result.Crc32C);
        var downloaded = await DownloadAsync(result.Upload.File!.Id);
        Assert.True(bytes.AsSpan().SequenceEqual(downloaded), "the file's bytes differ");
    }

    [Fact]
    public async Task A_part_damaged_on_every_send_fails_after_three_sends_with_a_checksum_error()
    {
        var path = _files.Create("always-damaged.bin", 2 * PartSize, seed: 2);
        _proxy.PartsToDamage = int.MaxValue;

        var error = await Assert.ThrowsAsync<ChecksumMismatchException>(() => _client.Uploads.UploadFileAsync(path, "batch", Options(parallelism: 1), Token));

        Assert.Contains("arrived damaged 3 times in a row", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _proxy.PartRequests);
        Assert.Equal(Crc32C.ToHeaderValue(Crc32C.Compute((await File.ReadAllBytesAsync(path, Token)).AsSpan(0, PartSize))), error.Expected);
    }

    [Fact]
    public async Task Against_a_server_that_checks_crc32c_every_part_and_the_completion_carry_it_and_no_md5_is_sent()
    {
        var path = _files.Create("crc.bin", 3 * PartSize, seed: 3);

        var result = await _client.Uploads.UploadFileAsync(path, "batch", Options(), Token);

        Assert.Null(result.Md5);
        Assert.All(_proxy.Requests.Where(r => r.IsPart), part => Assert.NotNull(part.Crc32C));
        var complete = _proxy.Requests.Single(r => r.Path.EndsWith("/complete", StringComparison.Ordinal));
        Assert.Equal(Crc32C.ToHeaderValue(Crc32C.Compute(await File.ReadAllBytesAsync(path, Token))), complete.Crc32C);
        Assert.Null(Md5Of(complete));
    }

    [Fact]
    public async Task Asked_for_md5_always_the_upload_sends_the_files_md5_at_completion_as_well()
    {
        var path = _files.Create("md5.bin", 2 * PartSize + 5, seed: 4);

        var result = await _client.Uploads.UploadFileAsync(path, "batch", Options() with { Md5 = Md5Policy.Always }, Token);

        var complete = _proxy.Requests.Single(r => r.Path.EndsWith("/complete", StringComparison.Ordinal));
        Assert.Equal(TestFiles.Md5Of(path), Md5Of(complete));
        Assert.Equal(TestFiles.Md5Of(path), result.Md5);
        Assert.NotNull(complete.Crc32C);
    }

    [Fact]
    public async Task Against_a_server_that_does_not_announce_checksums_the_upload_sends_the_files_md5_and_no_crc32c()
    {
        var path = _files.Create("openai-like.bin", 3 * PartSize + 1, seed: 5);
        _proxy.HideChecksumAnnouncement = true;

        var result = await _client.Uploads.UploadFileAsync(path, "batch", Options(), Token);

        var complete = _proxy.Requests.Single(r => r.Path.EndsWith("/complete", StringComparison.Ordinal));
        Assert.Equal(TestFiles.Md5Of(path), Md5Of(complete));
        Assert.Equal(TestFiles.Md5Of(path), result.Md5);
        Assert.All(_proxy.Requests, request => Assert.Null(request.Crc32C));
        Assert.Null(result.Crc32C);
    }

    [Fact]
    public async Task A_resume_with_every_part_on_the_server_sends_no_part_reports_nothing_sent_and_completes()
    {
        var path = _files.Create("all-there.bin", 5 * PartSize, seed: 6);
        _proxy.HoldCompletions = true;
        using (var interrupt = CancellationTokenSource.CreateLinkedTokenSource(Token))
        {
            var firstRun = _client.Uploads.UploadFileAsync(path, "batch", Options(), interrupt.Token);
            await _proxy.CompletionHeld.Task.WaitAsync(TimeSpan.FromMinutes(1), Token);
            await interrupt.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => firstRun);
        }

        _proxy.HoldCompletions = false;
        var partsBefore = _proxy.PartRequests;
        var reports = new List<UploadProgress>();
        var result = await _client.Uploads.UploadFileAsync(path, "batch", Options() with { Progress = new Recorded(reports) }, Token);

        Assert.Equal(5, partsBefore);
        Assert.Equal(partsBefore, _proxy.PartRequests);
        Assert.Equal((0, 5), (result.PartsSent, result.PartsReused));
        Assert.All(reports, report => Assert.Equal(0, report.BytesSent));
        Assert.Equal(new FileInfo(path).Length, reports[^1].BytesReused);
        Assert.Equal(await File.ReadAllBytesAsync(path, Token), await DownloadAsync(result.Upload.File!.Id));
    }

    [Fact]
    public async Task A_file_whose_stored_bytes_were_damaged_is_refused_when_its_content_stream_ends()
    {
        if (TesseraTestServer.Storage != TesseraTestServer.SqliteFolderStorage)
        {
            Assert.Skip("Only the folder store keeps blobs as files that a test can damage.");
        }

        var bytes = new byte[100_000];
        new Random(7).NextBytes(bytes);
        var file = await _client.Files.CreateAsync(new MemoryStream(bytes), "stored.bin", "assistants", cancellationToken: Token);
        _server.FlipStoredByte(Assert.Single(await _server.StoredBlobKeysAsync(Token)), 50_000);

        var error = await Assert.ThrowsAsync<ChecksumMismatchException>(() => DownloadAsync(file.Id));

        Assert.Equal(Crc32C.ToHeaderValue(Crc32C.Compute(bytes)), error.Expected);
        Assert.Contains("Download it again", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_content_stream_resumed_at_an_offset_checks_the_bytes_before_it_too()
    {
        var bytes = new byte[100_000];
        new Random(8).NextBytes(bytes);
        var file = await _client.Files.CreateAsync(new MemoryStream(bytes), "resumed.bin", "assistants", cancellationToken: Token);
        var rightBefore = Crc32C.Compute(bytes.AsSpan(0, 40_000));

        await using (var intact = await _client.Files.OpenContentAsync(file.Id, 40_000, rightBefore, Token))
        {
            await intact.Stream.CopyToAsync(Stream.Null, Token);
            Assert.Equal(Crc32C.ToHeaderValue(Crc32C.Compute(bytes)), intact.Crc32C);
        }

        await using var damaged = await _client.Files.OpenContentAsync(file.Id, 40_000, rightBefore ^ 1, Token);
        await Assert.ThrowsAsync<ChecksumMismatchException>(() => damaged.Stream.CopyToAsync(Stream.Null, Token));
    }

    private ChunkedUploadOptions Options(int parallelism = 4) => new()
    {
        PartSize = PartSize,
        Parallelism = parallelism,
        StateDirectory = _files.StateFolder,
    };

    private static string? Md5Of(ProxiedRequest complete) =>
        JsonDocument.Parse(complete.Body!).RootElement.TryGetProperty("md5", out var md5) && md5.ValueKind == JsonValueKind.String ? md5.GetString() : null;

    private async Task<byte[]> DownloadAsync(string fileId)
    {
        await using var content = await _client.Files.OpenContentAsync(fileId, cancellationToken: Token);
        using var copy = new MemoryStream();
        await content.Stream.CopyToAsync(copy, Token);
        return copy.ToArray();
    }

    /// <summary>Records every report synchronously (Progress&lt;T&gt; would post them later).</summary>
    private sealed class Recorded(List<UploadProgress> reports) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
