using System.Net;
using Microsoft.AspNetCore.Diagnostics;
using Tessera.Domain;
using Tessera.Storage;

namespace Tessera.Server.Http;

/// <summary>
/// The one place where exceptions become answers: a <see cref="TesseraException"/> is sent as it says, a request
/// Kestrel refused becomes a 400, a full store a 507, an unreachable store a 503 that asks the client to retry, and
/// anything else (a record whose blob is missing included) a generic 500 whose details go to the log only.
/// </summary>
internal sealed class ErrorEnvelopeMiddleware(RequestDelegate next, IHostApplicationLifetime lifetime, ILogger<ErrorEnvelopeMiddleware> logger)
{
    public const string ShouldRetryHeader = "x-should-retry";

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception) when (RequestBodyMiddleware.Stalled(context))
        {
            // Cut off for stalling, and logged where that was decided (RequestAborted may not say so yet): there is
            // nobody to answer. Whatever was being stored cleaned up after itself.
        }
        catch (Exception exception) when (context.RequestAborted.IsCancellationRequested && lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Kestrel aborted it when the shutdown grace ran out; whatever was being stored cleaned up after itself.
            logger.CutOffByShutdown(context.TraceIdentifier, context.Request.Method, context.Request.Path, exception.GetType().Name);
        }
        catch (Exception exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client is gone: there is nobody to answer. Whatever was being stored cleaned up after itself.
            logger.ClientGone(context.Request.Method, context.Request.Path, exception.GetType().Name);
        }
        catch (Exception exception)
        {
            var error = Translate(exception, context);
            if (context.Response.HasStarted)
            {
                logger.FailedAfterResponseStarted(exception, context.TraceIdentifier);
                context.Abort();
                return;
            }

            LogRefusal(logger, context, error);
            PrepareHeaders(context.Response, exception, error);
            await ErrorEnvelope.WriteAsync(context.Response, error);
        }
    }

    /// <summary>
    /// An unreachable store is worth retrying (OpenAI's SDKs honour <c>x-should-retry</c>), a quota is not; headers a handler set
    /// for a body that will not be sent (a file's ETag, its range) do not describe a server error.
    /// </summary>
    private static void PrepareHeaders(HttpResponse response, Exception exception, TesseraException error)
    {
        if (exception is StoreUnavailableException)
        {
            response.Headers[ShouldRetryHeader] = "true";
        }
        else if (error.ShouldRetry is { } shouldRetry)
        {
            response.Headers[ShouldRetryHeader] = shouldRetry ? "true" : "false";
        }

        if ((int)error.Status >= 500)
        {
            response.Headers.ETag = default;
            response.Headers.LastModified = default;
            response.Headers.AcceptRanges = default;
            response.Headers.ContentRange = default;
        }
    }

    /// <summary>Status-code pages: a bare error status that no handler described (404, 405, ...) gets the envelope too.</summary>
    public static Task WriteStatusCodeEnvelopeAsync(StatusCodeContext statusContext)
    {
        var http = statusContext.HttpContext;
        var status = (HttpStatusCode)http.Response.StatusCode;
        var error = status switch
        {
            HttpStatusCode.NotFound => ApiErrors.NoSuchRoute(http.Request.Method, http.Request.Path),
            HttpStatusCode.MethodNotAllowed => ApiErrors.MethodNotAllowed(http.Request.Method, http.Request.Path),
            _ => new TesseraException(status, (int)status >= 500 ? ApiErrors.ServerError : ApiErrors.InvalidRequest,
                $"The request failed with status {(int)status}."),
        };
        LogRefusal(http.RequestServices.GetRequiredService<ILogger<ErrorEnvelopeMiddleware>>(), http, error);
        return ErrorEnvelope.WriteAsync(http.Response, error);
    }

    /// <summary>The fallback endpoint: a path that no route serves.</summary>
    public static IResult NoSuchRoute(HttpContext http) =>
        throw ApiErrors.NoSuchRoute(http.Request.Method, http.Request.Path);

    /// <summary>Every 4xx is logged, at Information, with the message the client gets; 5xx are logged where they are translated.</summary>
    private static void LogRefusal(ILogger logger, HttpContext context, TesseraException error)
    {
        if ((int)error.Status < 500)
        {
            logger.RequestRefused(context.Request.Method, context.Request.Path, (int)error.Status, error.Message, context.TraceIdentifier);
        }
    }

    private TesseraException Translate(Exception exception, HttpContext context)
    {
        switch (exception)
        {
            case TesseraException tessera:
                return tessera;
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return ApiErrors.InvalidBody("The request body is larger than this endpoint accepts.");
            case BadHttpRequestException bad:
                return ApiErrors.InvalidBody($"The request could not be read: {bad.Message}");
            case StorageFullException full:
                // Expected, and handled: the write left nothing behind. One line, no stack trace.
                logger.StorageFull(context.TraceIdentifier, context.Request.Method, context.Request.Path, full.Message);
                return ApiErrors.StorageFull(context.Request.ContentLength ?? 0);
            case StoreUnavailableException unavailable:
                // Expected while a database restarts or an object store is unreachable: one line, no stack trace.
                logger.StoreUnavailable(context.TraceIdentifier, context.Request.Method, context.Request.Path, StoreName(unavailable.Store), unavailable.Message);
                return ApiErrors.ServiceUnavailable(unavailable.Store == StoreKind.Metadata ? "The metadata database" : "The blob store");
            case BlobNotFoundException missing:
                // A record whose bytes are gone: the data is damaged, which the operator must hear of.
                logger.BlobMissing(context.TraceIdentifier, context.Request.Method, context.Request.Path, missing.BlobKey);
                return ApiErrors.Unexpected(context.TraceIdentifier);
            default:
                logger.UnexpectedError(exception, context.TraceIdentifier, context.Request.Method, context.Request.Path);
                return ApiErrors.Unexpected(context.TraceIdentifier);
        }
    }

    /// <summary>How logs and health reports name a store.</summary>
    internal static string StoreName(StoreKind store) => store == StoreKind.Metadata ? "metadata" : "blob";
}
