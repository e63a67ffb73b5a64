using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

// The whole page against the embedded stores; the postgres-s3 rerun leaves the browser out.
[Trait("Storage", "embedded")]
public sealed class QuotaRefusalTests(Chromium chromium) : ConsoleTest(chromium)
{
    private const int MiB = 1024 * 1024;

    private const int FileBytes = 16 * MiB;

    protected override IReadOnlyDictionary<string, string> ServerSettings =>
        new Dictionary<string, string> { ["Tessera:Quotas:Bytes"] = $"{6 * MiB}" };

    [Fact]
    public async Task A_quota_refusal_shows_the_servers_message_at_once_and_leaves_no_upload_to_resume()
    {
        var path = MakeFile("too-big.bin", FileBytes);
        using var api = Server.CreateClient(TesseraTestServer.KeyA);
        await SignInAsync(TesseraTestServer.KeyA, TesseraTestServer.ProjectA);

        await StartUploadAsync(path);
        var uploadId = await UploadIdAsync();

        // Retried as if the server were briefly unwell, the refusal took 41 to 54 s to show; 20 s is a generous bound
        // for a page that takes it as final.
        await Assertions.Expect(Alert).ToContainTextAsync("would exceed project alpha's storage quota of 6.0 MiB", new() { Timeout = 20_000 });
        await Assertions.Expect(Alert).ToContainTextAsync("Delete files or cancel uploads to free room");
        await Assertions.Expect(Alert).ToContainTextAsync("(507)");
        await Assertions.Expect(UploadStatus).ToContainTextAsync("quota is reached");
        await Assertions.Expect(UploadStatus).ToContainTextAsync("The upload was cancelled");

        // Nothing offers to resume it: the browser keeps no record of it, the server no longer holds it pending (nor
        // its parts against the quota), and picking the file again starts afresh.
        Assert.Equal(0, await Page.EvaluateAsync<int>("() => Object.keys(localStorage).filter(k => k.startsWith('tessera.resume.')).length"));
        Assert.Equal("cancelled", (await api.GetJsonAsync($"uploads/{uploadId}")).GetProperty("status").GetString());
        await Assertions.Expect(PendingRow(uploadId)).ToHaveCountAsync(0);
        // Each part was sent once at most: the refused one was not tried again.
        Assert.True(Parts.ArrivedFor(uploadId) <= PartsOf(FileBytes), $"{Parts.ArrivedFor(uploadId)} part requests for a file of {PartsOf(FileBytes)} parts.");
    }
}
