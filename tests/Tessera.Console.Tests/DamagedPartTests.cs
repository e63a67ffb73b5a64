using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class DamagedPartTests(Chromium chromium) : ConsoleTest(chromium)
{
    private const int FileBytes = 10_000_000;

    private readonly PartDamage _damage = new();

    protected override void ConfigureServerServices(IServiceCollection services)
    {
        base.ConfigureServerServices(services);
        _damage.Register(services);
    }

    [Fact]
    public async Task A_part_damaged_on_its_way_is_refused_by_its_CRC32C_sent_again_and_the_file_completes_intact()
    {
        var path = MakeFile("ledger.bin", FileBytes);
        var requests = new PageRequests(Page);
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);

        await StartUploadAsync(path);
        var uploadId = await UploadIdAsync();
        await Assertions.Expect(UploadStatus).ToContainTextAsync("Uploaded");

        Assert.True(_damage.Done, "No part request was damaged.");
        Assert.Equal(uploadId, _damage.DamagedUpload);
        Assert.Equal([400], _damage.Answers);
        var refused = Assert.Single(await requests.AnswersAsync(), answer => answer.Status == 400);
        Assert.Contains("checksum_mismatch", refused.Body, StringComparison.Ordinal);
        // The damaged part was refused, then sent once more: one request beyond the file's parts, none stored twice.
        Assert.Equal(PartsOf(FileBytes) + 1, Parts.ArrivedFor(uploadId));
        Assert.Equal(PartsOf(FileBytes), Parts.Stored);
        Assert.Equal(0, Parts.ListingsFor(uploadId));

        var upload = await api.GetJsonAsync($"uploads/{uploadId}");
        Assert.Equal("completed", upload.GetProperty("status").GetString());
        var fileId = upload.GetProperty("file").GetProperty("id").GetString()!;
        Assert.Equal(FileBytes, upload.GetProperty("file").GetProperty("bytes").GetInt64());
        using var content = await api.GetAsync($"files/{fileId}/content", HttpCompletionOption.ResponseHeadersRead, Cancellation);
        await using var stream = await content.Content.ReadAsStreamAsync(Cancellation);
        Assert.Equal(Sha256Of(path), Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, Cancellation)));
    }

    [Fact]
    public async Task A_part_damaged_on_every_send_stops_the_upload_after_three_resends_with_a_message_naming_the_part()
    {
        const int oneFullPart = PartSize;
        _damage.Times = int.MaxValue;
        var path = MakeFile("flaky-link.bin", oneFullPart);
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);

        await StartUploadAsync(path);
        var uploadId = await UploadIdAsync();

        await Assertions.Expect(UploadStatus).ToContainTextAsync(
            $"Part 1 of 1 (bytes 0 to {oneFullPart - 1}) arrived damaged 4 times in a row");
        await Assertions.Expect(Alert).ToContainTextAsync("check the network");
        Assert.Equal(4, Parts.ArrivedFor(uploadId));
        Assert.Equal([400, 400, 400, 400], _damage.Answers);
        Assert.Equal(0, Parts.Stored);
        Assert.Equal("pending", (await api.GetJsonAsync($"uploads/{uploadId}")).GetProperty("status").GetString());
    }
}
