using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Storage;

namespace Tessera.Server.Tests;

/// <summary>
/// A list page longer than the server reads from its store at once (docs/api.md sections 3 and 6): the page is read and
/// written a chunk at a time, and comes back as one whole page.
/// </summary>
public sealed class LongListPageTests
{
    private const int Count = 600;

    [Fact]
    public async Task A_page_of_more_files_than_the_store_is_read_for_at_once_comes_back_whole_in_order_with_its_cursors()
    {
        await using var server = await StartInterleavingServerAsync();
        using var client = server.CreateClient();
        var created = await CreateFilesAsync(server, client);

        var whole = await ListAsync(client, $"files?purpose=fine-tune&order=asc&limit={Count}");
        AssertPage(created, hasMore: false, whole);

        var newest = await ListAsync(client, "files?purpose=fine-tune&limit=550");
        AssertPage(Enumerable.Reverse(created).Take(550).ToList(), hasMore: true, newest);
        var rest = await ListAsync(client, $"files?purpose=fine-tune&limit=550&after={newest.GetProperty("last_id").GetString()}");
        AssertPage(Enumerable.Reverse(created).Skip(550).ToList(), hasMore: false, rest);

        var afterTwenty = await ListAsync(client, $"files?purpose=fine-tune&order=asc&limit=10000&after={created[19]}");
        AssertPage(created[20..], hasMore: false, afterTwenty);

        Assert.Equal(Count + 1, (await ListAsync(client, "files?limit=10000")).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task A_long_page_is_read_from_the_store_a_few_hundred_files_at_a_time()
    {
        await using var server = await StartInterleavingServerAsync();
        using var client = server.CreateClient();
        await CreateFilesAsync(server, client);
        var asked = new List<int>();
        Store(server).BeforeListFiles = query =>
        {
            lock (asked)
            {
                asked.Add(query.Limit);
            }

            return Task.CompletedTask;
        };

        var page = await ListAsync(client, "files?limit=10000");

        Assert.Equal(Count + 1, page.GetProperty("data").GetArrayLength());
        Assert.True(asked.Count > 1, "the page is read in more than one go");
        Assert.All(asked, limit => Assert.InRange(limit, 1, 256));
    }

    [Fact]
    public async Task A_file_deleted_while_its_page_is_written_leaves_the_rest_of_the_page_whole()
    {
        await using var server = await StartInterleavingServerAsync();
        using var client = server.CreateClient();
        var created = await CreateFilesAsync(server, client);
        var store = Store(server);
        store.BeforeListFiles = async query =>
        {
            if (query.After is { } cursor)
            {
                // The file the next read starts after goes away between two reads of the page.
                store.BeforeListFiles = null;
                Assert.True(await store.Inner.DeleteFileAsync(TesseraTestServer.ProjectA, cursor, server.Clock.GetUtcNow().ToUnixTimeSeconds(), CancellationToken.None));
            }
        };

        var page = await ListAsync(client, $"files?purpose=fine-tune&order=asc&limit={Count}");

        AssertPage(created, hasMore: false, page);
        Assert.Null(store.BeforeListFiles);
    }

    [Fact]
    public async Task A_page_of_more_uploads_than_the_store_is_read_for_at_once_comes_back_whole_in_order_with_its_cursors()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        var created = new List<string>();
        for (var i = 0; i < Count; i++)
        {
            created.Add((await client.CreateUploadAsync(10, filename: $"u{i}")).Id());
            server.Clock.Advance(TimeSpan.FromSeconds(i % 3 == 0 ? 1 : 0));
        }

        var oldest = await ListAsync(client, "uploads?order=asc&limit=550");
        AssertPage(created[..550], hasMore: true, oldest);
        var rest = await ListAsync(client, $"uploads?order=asc&limit=550&after={oldest.GetProperty("last_id").GetString()}");
        AssertPage(created[550..], hasMore: false, rest);

        AssertPage(Enumerable.Reverse(created).ToList(), hasMore: false, await ListAsync(client, $"uploads?limit={Count}"));
    }

    [Fact]
    public async Task A_long_page_is_the_same_text_as_the_whole_list_object_written_at_once()
    {
        await using var server = await TesseraTestServer.StartAsync();
        using var client = server.CreateClient();
        for (var i = 0; i < 300; i++)
        {
            // Characters JSON must escape, characters it need not, and ones a stricter encoder would escape.
            await client.CreateUploadAsync(10, filename: $"\u0001\"\\<été>+日本語'{i}\t.bin");
        }

        var text = await client.GetStringAsync("uploads?limit=300");

        var page = JsonSerializer.Deserialize(text, TesseraJsonContext.Default.ListObjectPendingUploadObject)!;
        var json = server.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        Assert.Equal(300, page.Data.Count);
        Assert.Equal(JsonSerializer.Serialize(page, json), text);
    }

    private static Task<TesseraTestServer> StartInterleavingServerAsync() =>
        TesseraTestServer.StartAsync(configureServices: services =>
        {
            var real = services.Last(d => d.ServiceType == typeof(IMetadataStore));
            services.AddSingleton<IMetadataStore>(sp => new InterleavingMetadataStore((IMetadataStore)real.ImplementationFactory!(sp)));
        });

    private static InterleavingMetadataStore Store(TesseraTestServer server) =>
        (InterleavingMetadataStore)server.Services.GetRequiredService<IMetadataStore>();

    /// <summary><see cref="Count"/> fine-tune files, oldest first, several sharing a second, and one vision file after them.</summary>
    private static async Task<List<string>> CreateFilesAsync(TesseraTestServer server, HttpClient client)
    {
        var created = new List<string>();
        for (var i = 0; i < Count; i++)
        {
            using var form = new MultipartFormDataContent
            {
                { new StringContent("fine-tune"), "purpose" },
                { new ByteArrayContent([(byte)i]), "file", $"f{i}.jsonl" },
            };
            created.Add((await (await client.PostAsync("files", form)).ShouldSucceedAsync()).Id());
            server.Clock.Advance(TimeSpan.FromSeconds(i % 3 == 0 ? 1 : 0));
        }

        await client.UploadFileAsync([1], purpose: "vision");
        return created;
    }

    private static async Task<JsonElement> ListAsync(HttpClient client, string path) =>
        await (await client.GetAsync(path)).ShouldSucceedAsync();

    private static void AssertPage(List<string> ids, bool hasMore, JsonElement page)
    {
        Assert.Equal(["data", "has_more", "first_id", "last_id", "object"], page.EnumerateObject().Select(p => p.Name));
        Assert.Equal(ids, page.GetProperty("data").EnumerateArray().Select(item => item.Id()));
        Assert.Equal(hasMore, page.GetProperty("has_more").GetBoolean());
        Assert.Equal(ids[0], page.GetProperty("first_id").GetString());
        Assert.Equal(ids[^1], page.GetProperty("last_id").GetString());
        Assert.Equal("list", page.GetProperty("object").GetString());
    }
}
