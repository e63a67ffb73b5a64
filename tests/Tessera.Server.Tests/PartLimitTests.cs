using System.Net;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary><c>Tessera:Limits:MaxPartsPerUpload</c> bounds the parts an upload may be given and the part_ids complete may name.</summary>
public sealed class PartLimitTests
{
    private static readonly Dictionary<string, string> ThreeParts = new() { ["Tessera:Limits:MaxPartsPerUpload"] = "3" };

    [Fact]
    public async Task A_part_past_MaxPartsPerUpload_is_refused_with_400_and_a_retried_part_counts()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: ThreeParts);
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();
        var part = new byte[] { 7 };
        // The same bytes sent three times, as a client retrying a part it thinks was lost: three parts.
        var partIds = new[] { await client.AddPartAsync(uploadId, part), await client.AddPartAsync(uploadId, part), await client.AddPartAsync(uploadId, part) };
        var blobsBefore = (await server.StoredBlobKeysAsync()).ToHashSet();

        using var refused = await client.PostPartAsync(uploadId, part);

        var error = await refused.ShouldFailAsync(HttpStatusCode.BadRequest, "data", "too_many_parts");
        Assert.StartsWith("An upload may have at most 3 parts (Tessera:Limits:MaxPartsPerUpload)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await Eventually.HoldsAsync(async () => (await server.StoredBlobKeysAsync()).ToHashSet().SetEquals(blobsBefore), "the refused part's bytes are deleted");
        var completed = await client.CompleteAsync(uploadId, partIds);
        Assert.Equal(3, completed.GetProperty("file").GetProperty("bytes").GetInt64());
    }

    [Fact]
    public async Task Parts_racing_for_the_last_place_under_MaxPartsPerUpload_are_kept_one_at_most()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: ThreeParts);
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();
        await client.AddPartAsync(uploadId, [1]);
        await client.AddPartAsync(uploadId, [2]);

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => client.PostPartAsync(uploadId, [(byte)i])));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode));
        var parts = await (await client.GetAsync($"uploads/{uploadId}/parts")).ShouldSucceedAsync();
        Assert.Equal(3, parts.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Complete_naming_more_part_ids_than_MaxPartsPerUpload_is_refused_with_400()
    {
        await using var server = await TesseraTestServer.StartAsync(settings: ThreeParts);
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(4)).Id();

        using var response = await client.PostCompleteAsync(uploadId, ["part_a", "part_b", "part_c", "part_d"]);

        var error = await response.ShouldFailAsync(HttpStatusCode.BadRequest, "part_ids", "too_many_parts");
        Assert.Contains("at most 3 parts", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("part_ids names 4", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
