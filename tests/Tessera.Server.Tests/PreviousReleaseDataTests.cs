using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Data.Sqlite;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// A data folder written by the release before checksums (Fixtures/data-before-checksums, described in its README)
/// opens in place: its schema is migrated at start-up with no manual step, and what it holds keeps working.
/// </summary>
public sealed class PreviousReleaseDataTests : IAsyncLifetime
{
    private const string WholeFile = "file-Fhr9FD1SN2LXJxZdXJUxfN";
    private const string TwoPartFile = "file-RxvZagi885kv4xaNxvUHHV";
    private const string ListedUpload = "upload_2775197f754da0fa0cb6bccd1672e70e";
    private const string UnlistedUpload = "upload_bbfc2a5266cb3f95cf61bcf0c32f99c2";

    private readonly string _dataPath = Directory.CreateTempSubdirectory("tessera-previous-").FullName;
    private TesseraTestServer? _server;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        DataFolderCopies.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "data-before-checksums"), _dataPath);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_dataPath, "tessera.db")};Pooling=False"))
        {
            // The fixture's uploads were made long ago; they are moved to the present, nothing else is touched.
            await connection.OpenAsync(Token);
            await using var present = connection.CreateCommand();
            present.CommandText = "UPDATE uploads SET expires_at = $expires WHERE status = 'pending';";
            present.Parameters.AddWithValue("$expires", DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600);
            await present.ExecuteNonQueryAsync(Token);
        }

        _server = await TesseraTestServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["Tessera:DataPath"] = _dataPath,
            ["Tessera:Metadata:Provider"] = "Sqlite",
            ["Tessera:Blobs:Provider"] = "Folder",
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        DataFolderCopies.TryDelete(_dataPath);
    }

    [Fact]
    public async Task Files_stored_before_checksums_read_back_whole_and_answer_without_a_checksum()
    {
        using var client = _server!.CreateClient();

        var files = await (await client.GetAsync("files?order=asc", Token)).ShouldSucceedAsync();
        using var whole = await client.GetAsync($"files/{WholeFile}/content", Token);
        using var twoParts = await client.GetAsync($"files/{TwoPartFile}/content", Token);

        Assert.Equal([WholeFile, TwoPartFile], files.GetProperty("data").EnumerateArray().Select(f => f.Id()));
        Assert.Equal("sent whole\n", await whole.Content.ReadAsStringAsync(Token));
        Assert.Equal("first part second part\n", await twoParts.Content.ReadAsStringAsync(Token));
        Assert.False(whole.Headers.Contains(ChecksumHeaders.Crc32C));
        Assert.False(twoParts.Headers.Contains(ChecksumHeaders.Crc32C));
    }

    [Fact]
    public async Task A_part_stored_before_checksums_lists_no_checksum_and_keeps_the_md5_it_had()
    {
        using var client = _server!.CreateClient();

        var part = Assert.Single((await (await client.GetAsync($"uploads/{ListedUpload}/parts", Token)).ShouldSucceedAsync()).GetProperty("data").EnumerateArray());

        Assert.Equal(System.Text.Json.JsonValueKind.Null, part.GetProperty("crc32c").ValueKind);
        Assert.Equal("a75c5c02cea2d425f3cb9db00d27c907", part.GetProperty("md5").GetString());
    }

    [Fact]
    public async Task An_upload_begun_before_checksums_is_finished_with_a_new_part_and_its_file_gets_the_whole_checksum()
    {
        using var client = _server!.CreateClient();
        var newPart = Encoding.ASCII.GetBytes("new part two\n");
        var expected = Crc32C.ToHeaderValue(Crc32C.Compute(Encoding.ASCII.GetBytes("old part one new part two\n")));
        var oldPartId = Assert.Single((await (await client.GetAsync($"uploads/{ListedUpload}/parts", Token)).ShouldSucceedAsync()).GetProperty("data").EnumerateArray()).Id();
        var newPartId = await client.AddPartAsync(ListedUpload, newPart);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"uploads/{ListedUpload}/complete") { Content = JsonContent.Create(new { part_ids = new[] { oldPartId, newPartId } }) };
        request.Headers.Add(ChecksumHeaders.Crc32C, expected);
        using var completed = await client.SendAsync(request, Token);

        var fileId = (await completed.ShouldSucceedAsync()).GetProperty("file").Id();
        Assert.Equal(expected, Assert.Single(completed.Headers.GetValues(ChecksumHeaders.Crc32C)));
        using var content = await client.GetAsync($"files/{fileId}/content", Token);
        Assert.Equal("old part one new part two\n", await content.Content.ReadAsStringAsync(Token));
        Assert.Equal(expected, Assert.Single(content.Headers.GetValues(ChecksumHeaders.Crc32C)));
    }

    [Fact]
    public async Task An_upload_of_only_old_parts_completes_without_a_checksum_header_on_the_request_and_answers_one()
    {
        using var client = _server!.CreateClient();
        var partId = Assert.Single((await (await client.GetAsync($"uploads/{UnlistedUpload}/parts", Token)).ShouldSucceedAsync()).GetProperty("data").EnumerateArray()).Id();

        using var completed = await client.PostCompleteAsync(UnlistedUpload, [partId]);

        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        Assert.Equal(Crc32C.ToHeaderValue(Crc32C.Compute(Encoding.ASCII.GetBytes("old part one "))), Assert.Single(completed.Headers.GetValues(ChecksumHeaders.Crc32C)));
    }
}
