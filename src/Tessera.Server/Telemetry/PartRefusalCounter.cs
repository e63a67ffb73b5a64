using System.Net;
using Tessera.Domain;
using Tessera.Storage;

namespace Tessera.Server.Telemetry;

/// <summary>
/// Counts the refusals of the add-part route (the endpoints carrying <see cref="Route"/>) by reason, the value of
/// <c>error.type</c> on <c>tessera.parts.refused</c>. A middleware rather than an endpoint filter, so that a part
/// refused before its handler runs, by authentication or by the rate limiter, is counted like one its handler
/// refused. Stored parts are counted where they are recorded, by <see cref="InstrumentedMetadataStore"/>.
/// </summary>
internal sealed class PartRefusalCounter(RequestDelegate next, TesseraMetrics metrics)
{
    /// <summary>Endpoint metadata: the endpoint's refusals are counted as refused parts.</summary>
    public static readonly object Route = new CountedRoute();

    private const string TooLargeMark = "tessera.too_large";

    /// <summary>Marks the refusal <paramref name="tooLarge"/> makes, so that it is counted as <c>too_large</c> whatever its wording.</summary>
    public static Func<Exception> MarkedTooLarge(Func<Exception> tooLarge) => () =>
    {
        var refusal = tooLarge();
        refusal.Data[TooLargeMark] = true;
        return refusal;
    };

    public async Task InvokeAsync(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<CountedRoute>() is null)
        {
            await next(http);
            return;
        }

        try
        {
            await next(http);
        }
        catch (Exception exception)
        {
            metrics.PartRefused(ReasonFor(exception, http));
            throw;
        }
    }

    private static string ReasonFor(Exception exception, HttpContext http)
    {
        if (http.RequestAborted.IsCancellationRequested)
        {
            return "client_aborted";
        }

        // Before the too-large mark: a part cut off mid-stream where the project's quota ends is refused by the same
        // limit that cuts off a part too large for the upload, but with the quota's refusal.
        if (exception is TesseraException { Code: "quota_exceeded" })
        {
            return "quota_exceeded";
        }

        if (exception.Data[TooLargeMark] is true)
        {
            return "too_large";
        }

        return exception switch
        {
            TesseraException { Code: "storage_full" } or StorageFullException => "storage_full",
            TesseraException { Status: HttpStatusCode.ServiceUnavailable } or StoreUnavailableException => "unavailable",
            TesseraException { Status: HttpStatusCode.NotFound } => "not_found",
            TesseraException { Status: HttpStatusCode.RequestEntityTooLarge } => "too_large",
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => "too_large",
            TesseraException { Status: HttpStatusCode.Unauthorized } => "unauthorized",
            TesseraException { Status: HttpStatusCode.TooManyRequests } => "rate_limited",
            TesseraException { Param: "upload_id" } => "conflict",
            TesseraException { Status: < HttpStatusCode.InternalServerError } or BadHttpRequestException => "bad_request",
            _ => "server_error",
        };
    }

    private sealed class CountedRoute;
}
