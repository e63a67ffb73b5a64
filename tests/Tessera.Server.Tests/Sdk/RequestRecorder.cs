using System.ClientModel.Primitives;
using System.Collections.Concurrent;

namespace Tessera.Server.Tests.Sdk;

/// <summary>
/// A pipeline policy that notes each request an OpenAI SDK client sends (method, URI, Content-Type) and passes it on
/// unchanged, so a test can assert what the SDK put on the wire, not only what came back.
/// </summary>
public sealed class RequestRecorder : PipelinePolicy
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    /// <summary>The requests sent so far, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Record(message.Request);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Record(message.Request);
        await ProcessNextAsync(message, pipeline, currentIndex);
    }

    private void Record(PipelineRequest request) =>
        _requests.Enqueue(new RecordedRequest(
            request.Method, request.Uri!, request.Headers.TryGetValue("Content-Type", out var contentType) ? contentType : null));

    /// <summary>One request as the SDK sent it; <see cref="ContentType"/> is null when it had no body.</summary>
    public sealed record RecordedRequest(string Method, Uri Uri, string? ContentType);
}
