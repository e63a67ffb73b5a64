using System.Net;
using Tessera.Server.Tests.Infrastructure;
using NetHeaders = Microsoft.Net.Http.Headers;

namespace Tessera.Server.Tests;

/// <summary>
/// The headers every answer carries, so no browser guesses a type and no cache keeps an answer, and the
/// Content-Disposition of file content, which names the file safely whatever its name holds.
/// </summary>
public sealed class ResponseHeaderTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private readonly TesseraTestServer _server = fixture.Server;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Json_answers_errors_and_file_content_carry_nosniff_and_no_store()
    {
        using var client = _server.CreateClient();
        using var anonymous = _server.CreateClient(key: null);
        var fileId = (await client.UploadFileAsync([1, 2, 3])).Id();

        using var listed = await client.GetAsync("files", Token);
        using var missing = await client.GetAsync("files/file-none", Token);
        using var refused = await anonymous.GetAsync("files", Token);
        using var noRoute = await client.GetAsync("nowhere", Token);
        using var content = await client.GetAsync($"files/{fileId}/content", Token);
        using var health = await client.GetAsync(new Uri(_server.Root, "healthz"), Token);
        foreach (var (response, status) in new[]
                 {
                     (listed, HttpStatusCode.OK), (missing, HttpStatusCode.NotFound), (refused, HttpStatusCode.Unauthorized),
                     (noRoute, HttpStatusCode.NotFound), (content, HttpStatusCode.OK), (health, HttpStatusCode.OK),
                 })
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.True(response.Headers.CacheControl?.NoStore, $"{response.RequestMessage!.RequestUri} has no Cache-Control: no-store");
        }
    }

    [Theory]
    [InlineData("report.pdf")]
    [InlineData("say \"hello\".txt")]
    [InlineData("semi;colon; filename=evil.exe")]
    [InlineData("line\r\nX-Injected: yes.txt")]
    [InlineData("résumé 報告 🗂.pdf")]
    [InlineData("back\\slash %41 'quote'.txt")]
    public async Task File_content_is_an_attachment_whose_header_gives_back_the_exact_file_name(string filename)
    {
        using var client = _server.CreateClient();
        var fileId = (await client.UploadFileAsync([1, 2, 3], filename: filename)).Id();

        using var whole = await client.GetAsync($"files/{fileId}/content", Token);
        using var ranged = new HttpRequestMessage(HttpMethod.Get, $"files/{fileId}/content") { Headers = { Range = new(1, 1) } };
        using var part = await client.SendAsync(ranged, Token);

        foreach (var response in new[] { whole, part })
        {
            Assert.True(response.IsSuccessStatusCode);
            var header = Assert.Single(response.Content.Headers.GetValues("Content-Disposition"));
            Assert.DoesNotContain(header, c => c is '\r' or '\n' or > '\u007e');
            // As ASP.NET Core reads it, and as .NET's HttpClient does.
            var parsed = NetHeaders.ContentDispositionHeaderValue.Parse(header);
            Assert.True(parsed.DispositionType.Equals("attachment", StringComparison.Ordinal));
            Assert.Equal(filename, parsed.FileNameStar.Value);
            var asHttpClientReadsIt = response.Content.Headers.ContentDisposition!;
            Assert.Equal("attachment", asHttpClientReadsIt.DispositionType);
            Assert.Equal(filename, asHttpClientReadsIt.FileNameStar);
            Assert.NotEmpty(asHttpClientReadsIt.FileName!);
        }

        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
    }

    [Fact]
    public async Task An_error_for_file_content_is_no_attachment()
    {
        using var client = _server.CreateClient();
        var fileId = (await client.UploadFileAsync([1, 2, 3], filename: "x.txt")).Id();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"files/{fileId}/content") { Headers = { Range = new(10, 20) } };

        using var unsatisfiable = await client.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Null(unsatisfiable.Content.Headers.ContentDisposition);
    }
}
