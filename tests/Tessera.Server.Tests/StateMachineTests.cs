using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Storage;

namespace Tessera.Server.Tests;

/// <summary>Every cell of docs/api.md section 4's table: a request against an upload in each state.</summary>
public sealed class StateMachineTests(KeyedServer fixture) : IClassFixture<KeyedServer>
{
    private readonly TesseraTestServer _server = fixture.Server;

    public static TheoryData<string> NonPendingStates => new() { "completed", "cancelled", "expired" };

    [Fact]
    public async Task Adding_a_part_to_a_pending_upload_succeeds()
    {
        using var client = _server.CreateClient();
        var (uploadId, _) = await UploadInStateAsync(client, "pending");
        using var response = await client.PostPartAsync(uploadId, [1, 2, 3]);
        var part = await response.ShouldSucceedAsync();
        Assert.Matches("^part_[0-9a-f]{32}$", part.Id());
        Assert.Equal("upload.part", part.GetProperty("object").GetString());
        Assert.Equal(uploadId, part.GetProperty("upload_id").GetString());
    }

    [Theory]
    [MemberData(nameof(NonPendingStates))]
    public async Task Adding_a_part_to_an_upload_that_is_not_pending_is_refused_with_400(string state)
    {
        using var client = _server.CreateClient();
        var (uploadId, _) = await UploadInStateAsync(client, state);
        var blobsBefore = (await _server.StoredBlobKeysAsync()).ToHashSet();
        using var response = await client.PostPartAsync(uploadId, [1, 2, 3]);
        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, "upload_id");
        Assert.Contains(state, error.GetProperty("message").GetString());
        // No new blob (the sweeper may meanwhile have freed a cancelled upload's parts).
        Assert.Subset(blobsBefore, (await _server.StoredBlobKeysAsync()).ToHashSet());
    }

    [Fact]
    public async Task Completing_a_completed_upload_again_with_the_same_part_ids_answers_the_same_upload()
    {
        using var client = _server.CreateClient();
        var (uploadId, partIds) = await UploadInStateAsync(client, "completed");
        var again = await client.CompleteAsync(uploadId, partIds);
        Assert.Equal("completed", again.GetProperty("status").GetString());
        Assert.Equal(1, again.GetProperty("file").GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task Completing_a_completed_upload_with_other_part_ids_is_refused_with_400()
    {
        using var client = _server.CreateClient();
        var (uploadId, _) = await UploadInStateAsync(client, "completed");
        using var response = await client.PostCompleteAsync(uploadId, ["part_00000000000000000000000000000000"]);
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, "upload_id");
    }

    [Theory]
    [InlineData("cancelled")]
    [InlineData("expired")]
    public async Task Completing_a_cancelled_or_expired_upload_is_refused_with_400(string state)
    {
        using var client = _server.CreateClient();
        var (uploadId, partIds) = await UploadInStateAsync(client, state);
        using var response = await client.PostCompleteAsync(uploadId, partIds);
        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, "upload_id");
        Assert.Contains(state, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Cancelling_a_pending_upload_cancels_it_and_frees_its_parts()
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(10)).Id();
        var partId = await client.AddPartAsync(uploadId, Api.RandomBytes(10));
        Assert.Contains(partId, await _server.StoredBlobKeysAsync());

        using var response = await client.PostCancelAsync(uploadId);
        var cancelled = await response.ShouldSucceedAsync();
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.False(cancelled.TryGetProperty("file", out _));

        await _server.AssertFreedAsync(partId);
    }

    [Fact]
    public async Task Cancelling_keeps_the_expiry_time_and_a_retry_answers_the_cancelled_upload()
    {
        using var client = _server.CreateClient();
        var upload = await client.CreateUploadAsync(10);
        var first = await (await client.PostCancelAsync(upload.Id())).ShouldSucceedAsync();
        var retry = await (await client.PostCancelAsync(upload.Id())).ShouldSucceedAsync();
        Assert.Equal(upload.GetProperty("expires_at").GetInt64(), first.GetProperty("expires_at").GetInt64());
        Assert.Equal("cancelled", retry.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("completed")]
    [InlineData("expired")]
    public async Task Cancelling_a_completed_or_expired_upload_is_refused_with_400(string state)
    {
        using var client = _server.CreateClient();
        var (uploadId, _) = await UploadInStateAsync(client, state);
        using var response = await client.PostCancelAsync(uploadId);
        await response.ShouldFailAsync(HttpStatusCode.BadRequest, "upload_id");
    }

    [Fact]
    public async Task An_upload_past_its_expiry_reads_as_expired()
    {
        using var client = _server.CreateClient();
        var (uploadId, _) = await UploadInStateAsync(client, "expired");
        var upload = await (await client.GetAsync($"uploads/{uploadId}")).ShouldSucceedAsync();
        Assert.Equal("expired", upload.GetProperty("status").GetString());
    }

    [Fact]
    public async Task When_cancel_and_complete_race_exactly_one_wins_and_the_other_gets_400()
    {
        using var client = _server.CreateClient();
        for (var round = 0; round < 20; round++)
        {
            var data = Api.RandomBytes(64);
            var uploadId = (await client.CreateUploadAsync(data.Length)).Id();
            var partId = await client.AddPartAsync(uploadId, data);

            // Either request may reach the server first; a complete that loses after it has read the parts must
            // still be refused for the upload's state, not for its part_ids.
            var cancelFirst = round % 2 == 1;
            var cancel = cancelFirst ? client.PostCancelAsync(uploadId) : null;
            var complete = client.PostCompleteAsync(uploadId, [partId]);
            cancel ??= client.PostCancelAsync(uploadId);
            using var completed = await complete;
            using var cancelled = await cancel;

            Assert.True(completed.IsSuccessStatusCode ^ cancelled.IsSuccessStatusCode,
                $"round {round}: complete {(int)completed.StatusCode}, cancel {(int)cancelled.StatusCode}");
            var loser = completed.IsSuccessStatusCode ? cancelled : completed;
            await loser.ShouldFailAsync(HttpStatusCode.BadRequest, "upload_id");

            var final = await (await client.GetAsync($"uploads/{uploadId}")).ShouldSucceedAsync();
            Assert.Equal(completed.IsSuccessStatusCode ? "completed" : "cancelled", final.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task A_complete_overtaken_by_a_cancel_after_it_read_the_upload_is_refused_on_upload_id()
    {
        await using var server = await StartInterleavingServerAsync();
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();
        var partId = await client.AddPartAsync(uploadId, [1, 2, 3]);
        Interleave(server, async () => (await client.PostCancelAsync(uploadId)).EnsureSuccessStatusCode());

        using var completed = await client.PostCompleteAsync(uploadId, [partId]);

        await completed.ShouldFailAsync(HttpStatusCode.BadRequest, "upload_id");
        var final = await (await client.GetAsync($"uploads/{uploadId}")).ShouldSucceedAsync();
        Assert.Equal("cancelled", final.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_complete_overtaken_by_the_same_complete_after_it_read_the_upload_answers_with_that_file()
    {
        await using var server = await StartInterleavingServerAsync();
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();
        var partId = await client.AddPartAsync(uploadId, [1, 2, 3]);
        string? firstFileId = null;
        Interleave(server, async () => firstFileId = (await client.CompleteAsync(uploadId, [partId])).GetProperty("file").Id());

        var retried = await (await client.PostCompleteAsync(uploadId, [partId])).ShouldSucceedAsync();

        Assert.Equal("completed", retried.GetProperty("status").GetString());
        Assert.Equal(firstFileId, retried.GetProperty("file").Id());
        Assert.Equal([1, 2, 3], await client.GetByteArrayAsync($"files/{firstFileId}/content"));
    }

    [Fact]
    public async Task A_part_acknowledged_before_a_complete_that_does_not_list_it_is_discarded()
    {
        using var client = _server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();
        var listed = await client.AddPartAsync(uploadId, [1, 2, 3]);
        var unlisted = await client.AddPartAsync(uploadId, [9, 9]);
        var file = (await client.CompleteAsync(uploadId, [listed])).GetProperty("file");

        await _server.AssertFreedAsync(unlisted);
        Assert.Equal([1, 2, 3], await client.GetByteArrayAsync($"files/{file.Id()}/content"));
    }

    /// <summary>A server of its own whose metadata store lets a test act between a request's reads.</summary>
    private static Task<TesseraTestServer> StartInterleavingServerAsync() =>
        TesseraTestServer.StartAsync(configureServices: services =>
        {
            var real = services.Last(d => d.ServiceType == typeof(IMetadataStore));
            services.AddSingleton<IMetadataStore>(sp => new InterleavingMetadataStore((IMetadataStore)real.ImplementationFactory!(sp)));
        });

    /// <summary>Runs <paramref name="overtake"/> once, after the next request has read the upload and before it reads its parts.</summary>
    private static void Interleave(TesseraTestServer server, Func<Task> overtake)
    {
        var store = (InterleavingMetadataStore)server.Services.GetRequiredService<IMetadataStore>();
        store.BeforeListParts = async _ =>
        {
            store.BeforeListParts = null;
            await overtake();
        };
    }

    /// <summary>An upload of one byte brought into <paramref name="state"/>; its part ids (one, or none when cancelled early).</summary>
    private async Task<(string UploadId, string[] PartIds)> UploadInStateAsync(HttpClient client, string state)
    {
        var uploadId = (await client.CreateUploadAsync(1)).Id();
        var partId = await client.AddPartAsync(uploadId, [42]);
        switch (state)
        {
            case "completed":
                await client.CompleteAsync(uploadId, [partId]);
                break;
            case "cancelled":
                (await client.PostCancelAsync(uploadId)).EnsureSuccessStatusCode();
                break;
            case "expired":
                _server.Clock.Advance(TimeSpan.FromSeconds(3601));
                break;
        }

        return (uploadId, [partId]);
    }
}
