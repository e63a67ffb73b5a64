using System.Net;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary><c>GET /uploads</c> (docs/api.md section 6): the project's pending uploads, paged like files, with received bytes.</summary>
public sealed class UploadListingTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private readonly TesseraTestServer _server = fixture.Server;

    [Fact]
    public async Task Only_pending_uploads_are_listed_newest_first_each_as_retrieve_shows_it_with_its_received_bytes()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var overdue = (await client.CreateUploadAsync(10, filename: "overdue.bin")).Id();
        await client.AddPartAsync(overdue, [1, 2, 3]);
        server.Clock.Advance(TimeSpan.FromSeconds(3590));

        var inProgress = (await client.CreateUploadAsync(100, purpose: "user_data", filename: "in-progress.csv")).Id();
        await client.AddPartAsync(inProgress, Api.RandomBytes(30));
        await client.AddPartAsync(inProgress, Api.RandomBytes(12));
        var completed = (await client.CreateUploadAsync(3)).Id();
        await client.CompleteAsync(completed, [await client.AddPartAsync(completed, [1, 2, 3])]);
        var cancelled = (await client.CreateUploadAsync(3)).Id();
        await client.AddPartAsync(cancelled, [1, 2]);
        await (await client.PostCancelAsync(cancelled)).ShouldSucceedAsync();
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        var empty = (await client.CreateUploadAsync(5, filename: "empty.bin")).Id();
        server.Clock.Advance(TimeSpan.FromSeconds(10)); // past the first upload's expires_at, not yet swept

        var list = await (await client.GetAsync("uploads")).ShouldSucceedAsync();

        Assert.Equal(["data", "first_id", "has_more", "last_id", "object"], list.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("list", list.GetProperty("object").GetString());
        Assert.False(list.GetProperty("has_more").GetBoolean());
        var data = list.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([empty, inProgress], data.Select(u => u.Id()));
        Assert.Equal(empty, list.GetProperty("first_id").GetString());
        Assert.Equal(inProgress, list.GetProperty("last_id").GetString());
        Assert.Equal([0L, 42L], data.Select(u => u.GetProperty("received_bytes").GetInt64()));
        foreach (var listed in data)
        {
            var retrieved = await (await client.GetAsync($"uploads/{listed.Id()}")).ShouldSucceedAsync();
            Assert.Equal(
                retrieved.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetRawText()}").Append($"received_bytes={listed.GetProperty("received_bytes").GetInt64()}").Order(),
                listed.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetRawText()}").Order());
        }
    }

    [Fact]
    public async Task Received_bytes_follow_the_parts_as_they_arrive()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var upload = (await client.CreateUploadAsync(1000)).Id();

        foreach (var (part, total) in new[] { (300, 300L), (200, 500L), (500, 1000L) })
        {
            await client.AddPartAsync(upload, Api.RandomBytes(part));
            var listed = Assert.Single((await (await client.GetAsync("uploads")).ShouldSucceedAsync()).GetProperty("data").EnumerateArray());
            Assert.Equal(total, listed.GetProperty("received_bytes").GetInt64());
            Assert.Equal("pending", listed.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Listing_pages_through_more_uploads_than_a_page_with_after_limit_and_order()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var created = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            created.Add((await client.CreateUploadAsync(10, filename: $"u{i}")).Id());
            server.Clock.Advance(TimeSpan.FromSeconds(i % 3 == 0 ? 1 : 0)); // several uploads share a created_at second
        }

        Assert.Equal(created, await ListAllAsync(client, "order=asc&limit=10"));
        Assert.Equal(Enumerable.Reverse(created), await ListAllAsync(client, "limit=7"));
        Assert.Equal(Enumerable.Reverse(created), await ListAllAsync(client, ""));

        var first = await (await client.GetAsync("uploads?order=asc&limit=10")).ShouldSucceedAsync();
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal(created[0], first.GetProperty("first_id").GetString());
        Assert.Equal(created[9], first.GetProperty("last_id").GetString());

        var last = await (await client.GetAsync($"uploads?order=asc&limit=5&after={created[19]}")).ShouldSucceedAsync();
        Assert.False(last.GetProperty("has_more").GetBoolean());
        Assert.Equal(created[20..], last.GetProperty("data").EnumerateArray().Select(u => u.Id()));
    }

    [Fact]
    public async Task An_upload_that_ended_since_its_page_was_read_still_marks_where_the_next_page_starts()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var created = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            created.Add((await client.CreateUploadAsync(10)).Id());
        }

        var page = await (await client.GetAsync("uploads?order=asc&limit=3")).ShouldSucceedAsync();
        await (await client.PostCancelAsync(page.GetProperty("last_id").GetString()!)).ShouldSucceedAsync();
        var next = await (await client.GetAsync($"uploads?order=asc&limit=3&after={page.GetProperty("last_id").GetString()}")).ShouldSucceedAsync();

        Assert.Equal(created[3..], next.GetProperty("data").EnumerateArray().Select(u => u.Id()));
        Assert.Equal(5, (await ListAllAsync(client, "")).Count);
    }

    [Fact]
    public async Task A_project_sees_only_its_own_pending_uploads_and_cannot_page_after_another_s()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var alpha = server.CreateClient(TesseraTestServer.KeyA);
        using var beta = server.CreateClient(TesseraTestServer.KeyB);
        var alphas = (await alpha.CreateUploadAsync(10)).Id();
        var betas = (await beta.CreateUploadAsync(10)).Id();

        Assert.Equal([alphas], await ListAllAsync(alpha, ""));
        Assert.Equal([betas], await ListAllAsync(beta, ""));
        await (await beta.GetAsync($"uploads?after={alphas}")).ShouldFailAsync(HttpStatusCode.BadRequest, "after");
        using var anonymous = server.CreateClient(key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("uploads")).StatusCode);
    }

    [Fact]
    public async Task The_list_answers_without_the_v1_prefix_too()
    {
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.Root, "uploads?limit=1"));
        var list = await (await client.SendAsync(request)).ShouldSucceedAsync();

        Assert.Equal("list", list.GetProperty("object").GetString());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=10001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=1&limit=2", "limit")]
    [InlineData("order=sideways", "order")]
    [InlineData("after=upload_doesnotexist", "after")]
    public async Task Listing_with_a_bad_query_is_refused_with_400_naming_it(string query, string param)
    {
        using var client = _server.CreateClient();
        await (await client.GetAsync($"uploads?{query}")).ShouldFailAsync(HttpStatusCode.BadRequest, param);
    }

    private static async Task<List<string>> ListAllAsync(HttpClient client, string query)
    {
        var ids = new List<string>();
        var after = "";
        while (true)
        {
            var page = await (await client.GetAsync($"uploads?{query}{after}")).ShouldSucceedAsync();
            ids.AddRange(page.GetProperty("data").EnumerateArray().Select(u => u.Id()));
            if (!page.GetProperty("has_more").GetBoolean())
            {
                return ids;
            }

            after = $"&after={page.GetProperty("last_id").GetString()}";
        }
    }
}
