using System.Net;
using Tessera.Domain;
using Tessera.Storage;

namespace Tessera.Server.Telemetry;

/// <summary>
/// Counts the parts route's refusals by reason (the value of <c>error.type</c> on <c>tessera.parts.refused</c>).
/// Stored parts are counted where they are recorded, by <see cref="InstrumentedMetadataStore"/>.
/// </summary>
internal sealed class PartRefusalFilter(TesseraMetrics metrics) : IEndpointFilter
{
    private const string TooLargeMark = "tessera.too_large";

    /// <summary>Marks the refusal <paramref name="tooLarge"/> makes, so that it is counted as <c>too_large</c> whatever its wording.</summary>
    public static Func<Exception> MarkedTooLarge(Func<Exception> tooLarge) => () =>
    {
        var refusal = tooLarge();
        refusal.Data[TooLargeMark] = true;
        return refusal;
    };

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception exception)
        {
            metrics.PartRefused(ReasonFor(exception, context.HttpContext));
            throw;
        }
    }

    private static string ReasonFor(Exception exception, HttpContext http)
    {
        if (http.RequestAborted.IsCancellationRequested)
        {
            return "client_aborted";
        }

        if (exception.Data[TooLargeMark] is true)
        {
            return "too_large";
        }

        return exception switch
        {
            TesseraException { Code: "quota_exceeded" } => "quota_exceeded",
            TesseraException { Code: "storage_full" } or StorageFullException => "storage_full",
            TesseraException { Status: HttpStatusCode.ServiceUnavailable } or StoreUnavailableException => "unavailable",
            TesseraException { Status: HttpStatusCode.NotFound } => "not_found",
            TesseraException { Status: HttpStatusCode.RequestEntityTooLarge } => "too_large",
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => "too_large",
            TesseraException { Param: "upload_id" } => "conflict",
            TesseraException { Status: < HttpStatusCode.InternalServerError } or BadHttpRequestException => "bad_request",
            _ => "server_error",
        };
    }
}
