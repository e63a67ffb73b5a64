using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Tessera.Contracts;
using Tessera.Domain;

namespace Tessera.Server.Http;

/// <summary>Writes OpenAI's error envelope, all four keys present: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
internal static class ErrorEnvelope
{
    public static async Task WriteAsync(HttpResponse response, TesseraException error)
    {
        response.StatusCode = (int)error.Status;
        response.ContentType = "application/json";
        response.Headers.ContentLength = null;
        // An error is not the file its request asked for: a browser shows it rather than saving it under that name.
        response.Headers.ContentDisposition = default;
        var envelope = new ErrorResponse { Error = new ApiError { Message = error.Message, Type = error.Type, Param = error.Param, Code = error.Code } };
        // Serialized into memory first: the writer flushes synchronously, which Kestrel refuses on the response body.
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            JsonSerializer.Serialize(writer, envelope, TesseraJsonContext.Default.ErrorResponse);
        }

        await response.Body.WriteAsync(buffer.WrittenMemory, response.HttpContext.RequestAborted);
    }
}
