using System.Diagnostics;

namespace Tessera.Server.Telemetry;

/// <summary>The names Tessera's metrics and traces are published under, and the attributes they carry.</summary>
public static class TesseraTelemetry
{
    /// <summary>The name of Tessera's <see cref="System.Diagnostics.Metrics.Meter"/> and <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string Name = "Tessera.Server";

    /// <summary>The <c>x-request-id</c> of the request a span belongs to (the server span and every store call under it).</summary>
    public const string RequestIdAttribute = "tessera.request_id";

    /// <summary><c>metadata</c> or <c>blobs</c>.</summary>
    public const string StoreAttribute = "tessera.store";

    /// <summary>The store method called, e.g. <c>AddPart</c>.</summary>
    public const string OperationAttribute = "tessera.operation";

    /// <summary>How an upload ended: <c>completed</c>, <c>cancelled</c> or <c>expired</c>.</summary>
    public const string OutcomeAttribute = "tessera.upload.outcome";

    /// <summary>Why a part was refused (the semantic conventions' attribute for a failure's class).</summary>
    public const string ReasonAttribute = "error.type";

    /// <summary>Spans around store calls; nothing is created unless a tracer listens.</summary>
    public static readonly ActivitySource Source = new(Name);
}
