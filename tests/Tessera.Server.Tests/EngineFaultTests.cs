using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Storage;
using Tessera.Testing.Engines;

namespace Tessera.Server.Tests;

/// <summary>
/// PostgreSQL or the S3 server failing under two nodes that clients keep uploading to: every request is answered in
/// seconds, 200 or 503 <c>service_unavailable</c> naming the dependency (docs/api.md section 2), <c>/healthz</c> says
/// which store is down, and once the engine is back the service resumes by itself with every acknowledged part in
/// its file. Each test has engines of its own, so stopping them disturbs no other test.
/// </summary>
[Trait(StorageTraits.Name, Cluster.ScaleOut)]
public sealed class EngineFaultTests
{
    /// <summary>Generous: only a hang, or a wait for the engine to come back, takes longer.</summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_PostgreSQL_stopped_under_load_requests_fail_fast_with_503_and_the_service_resumes_by_itself_losing_nothing()
    {
        await using var postgres = await PostgresEngine.StartNewAsync(Token);
        await using var cluster = await Cluster.StartAsync(2, postgres: postgres);
        await UploadThroughOutageAsync(cluster, Outage.Metadata, postgres.StopAsync, postgres.StartAsync);
    }

    [Fact]
    public async Task With_the_S3_server_stopped_under_load_requests_fail_fast_with_503_and_the_service_resumes_by_itself_losing_nothing()
    {
        await using var s3 = await S3Engine.StartNewAsync(Token);
        await using var cluster = await Cluster.StartAsync(2, s3: s3);
        await UploadThroughOutageAsync(cluster, Outage.Blobs, s3.StopAsync, s3.StartAsync);
    }

    [Fact]
    public async Task With_the_S3_server_frozen_under_load_requests_fail_within_seconds_with_503_and_the_service_resumes_once_it_thaws()
    {
        await using var s3 = await S3Engine.StartNewAsync(Token);
        await using var cluster = await Cluster.StartAsync(2, s3: s3);
        await UploadThroughOutageAsync(cluster, Outage.Blobs, s3.PauseAsync, s3.ResumeAsync);
    }

    private static async Task UploadThroughOutageAsync(Cluster cluster, Outage outage, Func<CancellationToken, Task> fail, Func<CancellationToken, Task> recover)
    {
        // Two clients per node, each completing on the other node.
        var load = UploadLoad.Start([.. cluster.CreateClients(), .. cluster.CreateClients()], Token);
        try
        {
            await load.WaitUntilAsync(l => l.Files.Count >= 4, RecoveryBound, "four files before the outage", Token);

            await fail(Token);
            var refusedBefore = Refused(load.Answers);
            await load.WaitUntilAsync(l => Refused(l.Answers) >= refusedBefore + 4, RecoveryBound, "four refusals during the outage", Token);
            foreach (var node in cluster.Nodes)
            {
                await ShouldBeUnhealthyAsync(node, outage);
            }

            await recover(Token);
            foreach (var node in cluster.Nodes)
            {
                await WaitUntilHealthyAsync(node);
            }

            var filesAtRecovery = load.Files.Count;
            await load.WaitUntilAsync(l => l.Files.Count >= filesAtRecovery + 4, RecoveryBound, "four files after the recovery", Token);
        }
        finally
        {
            await load.StopAsync();
        }

        var answers = load.Answers;
        var slowest = answers.MaxBy(answer => answer.Elapsed)!;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{answers.Count} answers, {Refused(answers)} refused; slowest: a {slowest.Request} answered {(int)slowest.Status} in {slowest.Elapsed.TotalSeconds:0.0} s; {load.Files.Count} files");
        Assert.True(slowest.Elapsed < AnswerBound, $"a {slowest.Request} took {slowest.Elapsed.TotalSeconds:0.0} s to be answered {(int)slowest.Status}");
        Assert.All(answers.Where(answer => answer.Status == HttpStatusCode.ServiceUnavailable), answer => Assert.StartsWith(outage.Dependency, answer.Message));

        // What the outage left behind (a write that landed after its request gave up, a part whose record could not be
        // written) is an orphan that reconciliation frees, and only that: the bucket holds the files' parts.
        cluster.Advance(TimeSpan.FromHours(2));
        // A store just back may still fail a request now and then (the S3 server once answered a listing with its
        // "internal error"); the sweeper would simply try again on its next round, and so does the test.
        await Eventually.HoldsAsync(
            async () =>
            {
                try
                {
                    await cluster[0].Reclaimer.ReconcileAsync(Token);
                    await cluster[0].Reclaimer.DeleteGarbageAsync(Token);
                    return true;
                }
                catch (StoreUnavailableException)
                {
                    return false;
                }
            },
            "reconciliation and the garbage sweep ran against the recovered stores");
        Assert.Equal(load.Files.Count * UploadLoad.PartsPerFile, (await cluster.StoredBlobKeysAsync()).Count);

        // Nothing acknowledged is lost: every file holds exactly the parts it was completed with, on every node.
        foreach (var client in cluster.CreateClients())
        {
            using (client)
            {
                foreach (var file in load.Files)
                {
                    Assert.Equal(file.Content, await client.GetByteArrayAsync($"files/{file.Id}/content", Token));
                }
            }
        }
    }

    private static int Refused(IReadOnlyList<UploadLoad.Answer> answers) => answers.Count(answer => answer.Status == HttpStatusCode.ServiceUnavailable);

    private static async Task ShouldBeUnhealthyAsync(TesseraTestServer node, Outage outage)
    {
        // An answer may repeat the outcome of a probe made up to a second earlier, before the outage.
        await Task.Delay(TimeSpan.FromSeconds(1.2), Token);
        using var client = node.CreateClient(key: null);
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(new Uri(node.Root, "healthz"), Token);
        Assert.True(clock.Elapsed < AnswerBound, $"/healthz took {clock.Elapsed.TotalSeconds:0.0} s");
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"/healthz answered {(int)response.StatusCode}: {text}");
        var checks = JsonDocument.Parse(text).RootElement.GetProperty("checks");
        Assert.Equal("unavailable", checks.GetProperty(outage.Check).GetProperty("status").GetString());
        Assert.Equal("ok", checks.GetProperty(outage.Check == Outage.Metadata.Check ? Outage.Blobs.Check : Outage.Metadata.Check).GetProperty("status").GetString());
    }

    private static async Task WaitUntilHealthyAsync(TesseraTestServer node)
    {
        using var client = node.CreateClient(key: null);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync(new Uri(node.Root, "healthz"), Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(clock.Elapsed < RecoveryBound, $"/healthz still answered {(int)response.StatusCode} {RecoveryBound.TotalSeconds} s after the engine came back");
            await Task.Delay(200, Token);
        }
    }

    /// <summary>Which store is out: its name in <c>/healthz</c> and how a refusal's message names it.</summary>
    private sealed record Outage(string Check, string Dependency)
    {
        public static readonly Outage Metadata = new("metadata", "The metadata database");
        public static readonly Outage Blobs = new("blobs", "The blob store");
    }
}
