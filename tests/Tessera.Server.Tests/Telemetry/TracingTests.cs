using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Tessera.Server.Telemetry;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Telemetry;

/// <summary>
/// Tessera's tracing (its store spans and ASP.NET Core's server span) exported in memory: every store call of a
/// request is a span of that request's trace, carrying the request id the response header gave.
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task Every_store_call_of_a_part_upload_is_a_span_carrying_the_request_id_of_the_response()
    {
        var spans = new LockedCollection<Activity>();
        await using var server = await TesseraTestServer.StartAsync(configureServices: services =>
            services.AddOpenTelemetry().WithTracing(tracing => tracing.AddTesseraInstrumentation().AddInMemoryExporter(spans)));
        using var client = server.CreateClient();
        var uploadId = (await client.CreateUploadAsync(3)).Id();

        using var part = await client.PostPartAsync(uploadId, [1, 2, 3]);
        await part.ShouldSucceedAsync();
        var requestId = part.Headers.GetValues("x-request-id").Single();

        Activity? request = null;
        await Eventually.HoldsAsync(() =>
        {
            request = spans.Snapshot().SingleOrDefault(span => span.Kind == ActivityKind.Server && RequestIdOf(span) == requestId);
            return request is not null;
        }, "the server span of the part's request is exported");

        var inTrace = spans.Snapshot().Where(span => span.TraceId == request!.TraceId && span.Source.Name == TesseraTelemetry.Name).ToList();
        var operations = inTrace.OrderBy(span => span.StartTimeUtc).Select(span => span.DisplayName).ToList();
        Assert.Subset(operations.ToHashSet(), new HashSet<string> { "metadata FindUpload", "blobs Write", "metadata AddPart" });
        Assert.All(inTrace, span =>
        {
            Assert.Equal(requestId, RequestIdOf(span));
            Assert.Equal(request!.SpanId, span.ParentSpanId);
            Assert.NotNull(span.GetTagItem(TesseraTelemetry.OperationAttribute));
            Assert.Contains(span.GetTagItem(TesseraTelemetry.StoreAttribute), new object[] { "metadata", "blobs" });
        });

        // The store calls of other requests carry their own ids, never this one.
        Assert.DoesNotContain(spans.Snapshot(), span => span.TraceId != request!.TraceId && RequestIdOf(span) == requestId);
    }

    [Fact]
    public async Task The_server_span_of_a_request_to_a_collection_names_its_route_without_a_trailing_slash()
    {
        var spans = new LockedCollection<Activity>();
        await using var server = await TesseraTestServer.StartAsync(configureServices: services =>
            services.AddOpenTelemetry().WithTracing(tracing => tracing.AddTesseraInstrumentation().AddInMemoryExporter(spans)));
        using var client = server.CreateClient();

        await client.CreateUploadAsync(3);
        (await client.GetAsync("files", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        List<string?> routes = [];
        await Eventually.HoldsAsync(() =>
        {
            routes = [.. spans.Snapshot().Where(span => span.Kind == ActivityKind.Server).Select(span => span.GetTagItem("http.route") as string)];
            return routes.Contains("/v1/files") && routes.Contains("/v1/uploads");
        }, "the server spans of both requests are exported, named /v1/uploads and /v1/files");
        Assert.DoesNotContain(routes, route => route is { Length: > 1 } && route.EndsWith('/'));
        Assert.Contains(spans.Snapshot(), span => span.DisplayName == "POST /v1/uploads");
    }

    [Fact]
    public async Task Health_probes_leave_no_trace_while_requests_around_them_do()
    {
        var spans = new LockedCollection<Activity>();
        await using var server = await TesseraTestServer.StartAsync(configureServices: services =>
            services.AddOpenTelemetry().WithTracing(tracing => tracing.AddTesseraInstrumentation().AddInMemoryExporter(spans)));
        using var client = server.CreateClient();

        using (var health = await client.GetAsync(new Uri(server.Root, "healthz"), TestContext.Current.CancellationToken))
        {
            health.EnsureSuccessStatusCode();
        }

        using (var live = await client.GetAsync(new Uri(server.Root, "livez"), TestContext.Current.CancellationToken))
        {
            live.EnsureSuccessStatusCode();
        }

        // A request after the probes, whose spans prove the exporter was listening all along.
        await client.CreateUploadAsync(3);
        await Eventually.HoldsAsync(() => spans.Snapshot().Any(span => span.DisplayName == "metadata CreateUpload"), "the create's store call is exported");

        Assert.DoesNotContain(spans.Snapshot(), span => span.DisplayName.Contains("health", StringComparison.OrdinalIgnoreCase)
            || span.GetTagItem("url.path") is "/healthz" or "/livez" || span.DisplayName.EndsWith("CheckHealth", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_key_in_the_query_string_is_redacted_from_the_server_span_even_with_the_instrumentations_own_redaction_off()
    {
        var spans = new LockedCollection<Activity>();
        await using var server = await TesseraTestServer.StartAsync(
            settings: new Dictionary<string, string> { ["OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION"] = "true" },
            configureServices: services => services.AddOpenTelemetry().WithTracing(tracing => tracing.AddTesseraInstrumentation().AddInMemoryExporter(spans)));
        using var client = server.CreateClient();

        using var listed = await client.GetAsync("files?api_key=sk-secret-in-a-trace-0123&limit=2", TestContext.Current.CancellationToken);
        await listed.ShouldSucceedAsync();
        var requestId = listed.Headers.GetValues("x-request-id").Single();

        Activity? request = null;
        await Eventually.HoldsAsync(() =>
        {
            request = spans.Snapshot().SingleOrDefault(span => span.Kind == ActivityKind.Server && RequestIdOf(span) == requestId);
            return request is not null;
        }, "the server span of the listing is exported");
        Assert.Equal("api_key=[redacted]&limit=[redacted]", request!.GetTagItem("url.query"));
        Assert.DoesNotContain(request.TagObjects, tag => tag.Value?.ToString()?.Contains("sk-secret", StringComparison.Ordinal) == true);
    }

    private static string? RequestIdOf(Activity span) => span.GetTagItem(TesseraTelemetry.RequestIdAttribute) as string;
}
