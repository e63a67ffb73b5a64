using System.Net;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>A node builds only a few list pages at once; the others wait their turn, and a refused list gives its turn back.</summary>
public sealed class ListPageGateTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private readonly TesseraTestServer _server = fixture.Server;

    [Fact]
    public async Task Many_lists_at_once_all_answer_and_refused_lists_do_not_keep_their_turn()
    {
        using var client = _server.CreateClient();
        var file = await client.UploadFileAsync([1, 2, 3]);
        for (var i = 0; i < 5; i++)
        {
            using var refused = await client.GetAsync("files?after=file-gone");
            await refused.ShouldFailAsync(HttpStatusCode.BadRequest, "after");
            using var refusedUploads = await client.GetAsync("uploads?after=upload_gone");
            await refusedUploads.ShouldFailAsync(HttpStatusCode.BadRequest, "after");
        }

        var lists = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => client.GetAsync(i % 2 == 0 ? "files" : "uploads"))).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.All(lists, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        var files = await lists[0].ShouldSucceedAsync();
        Assert.Contains(files.GetProperty("data").EnumerateArray(), f => f.Id() == file.Id());
    }
}
