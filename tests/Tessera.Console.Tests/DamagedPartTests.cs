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
    public async Task A_part_damaged_on_its_way_is_noticed_by_its_MD5_sent_again_and_the_file_completes_intact()
    {
        var path = MakeFile("ledger.bin", FileBytes);
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);

        await StartUploadAsync(path);
        var uploadId = await UploadIdAsync();
        await Assertions.Expect(UploadStatus).ToContainTextAsync("Uploaded");

        Assert.True(_damage.Done, "No part request was damaged.");
        Assert.Equal(uploadId, _damage.DamagedUpload);
        // The damaged part was stored, then sent once more: one request beyond the file's parts.
        Assert.Equal(PartsOf(FileBytes) + 1, Parts.ArrivedFor(uploadId));
        Assert.Contains((await PageRecorder.ReadAsync(Page)).Statuses, status => status.Contains("Verifying", StringComparison.Ordinal));

        var upload = await api.GetJsonAsync($"uploads/{uploadId}");
        Assert.Equal("completed", upload.GetProperty("status").GetString());
        var fileId = upload.GetProperty("file").GetProperty("id").GetString()!;
        Assert.Equal(FileBytes, upload.GetProperty("file").GetProperty("bytes").GetInt64());
        using var content = await api.GetAsync($"files/{fileId}/content", HttpCompletionOption.ResponseHeadersRead, Cancellation);
        await using var stream = await content.Content.ReadAsStreamAsync(Cancellation);
        Assert.Equal(Sha256Of(path), Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, Cancellation)));
    }
}
