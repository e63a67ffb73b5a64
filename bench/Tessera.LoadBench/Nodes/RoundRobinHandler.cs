namespace Tessera.LoadBench.Nodes;

/// <summary>
/// Sends each request to the next node in turn, whatever upload it belongs to, as a load balancer without affinity
/// does: an upload is created on one node, its parts land on all of them, and it is completed on yet another.
/// </summary>
internal sealed class RoundRobinHandler(IReadOnlyList<Uri> nodes) : DelegatingHandler(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
{
    private long _next = -1;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var node = nodes[(int)(Interlocked.Increment(ref _next) % nodes.Count)];
        var uri = request.RequestUri ?? throw new InvalidOperationException("a request without a URI");
        request.RequestUri = new UriBuilder(uri) { Scheme = node.Scheme, Host = node.Host, Port = node.Port }.Uri;
        return base.SendAsync(request, cancellationToken);
    }
}
