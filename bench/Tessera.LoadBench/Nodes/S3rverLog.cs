using System.Text;

namespace Tessera.LoadBench.Nodes;

/// <summary>
/// The requests s3rver received, read from its launcher's log ("request METHOD URL", one line per request, written
/// when the request arrives): <see cref="TakeNew"/> counts those logged since the last call, by kind.
/// </summary>
internal sealed class S3rverLog(string path)
{
    private long _offset = new FileInfo(path).Length;

    /// <summary>The requests logged since the last call (or since this reader was made), by kind.</summary>
    public RequestCounts TakeNew()
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        file.Seek(_offset, SeekOrigin.Begin);
        var bytes = new byte[file.Length - _offset];
        file.ReadExactly(bytes);
        // A line still being written is left for the next call.
        var complete = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        _offset += complete;
        var counts = new RequestCounts();
        foreach (var line in Encoding.UTF8.GetString(bytes, 0, complete).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', 3);
            if (fields is ["request", var method, var url])
            {
                counts.Add(Kind(method, url));
            }
        }

        return counts;
    }

    /// <summary>
    /// What the request was, as far as its method and URL tell (a copy's source is in a header the log does not show,
    /// so a copy appears as a PUT). The nodes' periodic health probes are counted apart, so they can be set aside.
    /// </summary>
    private static string Kind(string method, string url)
    {
        if (url.Contains("/.health-probe/", StringComparison.Ordinal))
        {
            return "health probe";
        }

        var query = url.Contains('?', StringComparison.Ordinal) ? url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..] : "";
        return (method, query) switch
        {
            ("PUT", var q) when q.Contains("partNumber=", StringComparison.Ordinal) => "PUT part",
            ("POST", var q) when q.StartsWith("uploads", StringComparison.Ordinal) => "POST start multipart",
            ("POST", var q) when q.Contains("uploadId=", StringComparison.Ordinal) => "POST finish multipart",
            _ => method,
        };
    }
}

/// <summary>Requests by kind.</summary>
internal sealed class RequestCounts
{
    public SortedDictionary<string, int> ByKind { get; } = new(StringComparer.Ordinal);

    public int Total => ByKind.Where(k => k.Key != "health probe").Sum(k => k.Value);

    public int Of(string kind) => ByKind.GetValueOrDefault(kind);

    public void Add(string kind, int count = 1) => ByKind[kind] = ByKind.GetValueOrDefault(kind) + count;

    public static RequestCounts Sum(IEnumerable<RequestCounts> all)
    {
        var sum = new RequestCounts();
        foreach (var (kind, count) in all.SelectMany(c => c.ByKind))
        {
            sum.Add(kind, count);
        }

        return sum;
    }

    /// <summary>For a table cell: every kind but the health probes, e.g. "PUT 96, POST start multipart 2".</summary>
    public override string ToString()
    {
        var kinds = ByKind.Where(k => k.Key != "health probe").Select(k => $"{k.Key} {k.Value}").ToArray();
        return kinds.Length == 0 ? "none" : string.Join(", ", kinds);
    }
}
