using System.Text.Encodings.Web;
using System.Text.Json;
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
        await using var writer = new Utf8JsonWriter(response.Body, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("message", error.Message);
        writer.WriteString("type", error.Type);
        WriteNullable(writer, "param", error.Param);
        WriteNullable(writer, "code", error.Code);
        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(response.HttpContext.RequestAborted);
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
