using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tessera.Server.Health;

/// <summary>
/// Writes a health report as Tessera's JSON body: the overall state and each check by name, with a fixed sentence when
/// it is unavailable and the counts it adds (the blob store's missing and damaged blobs), never a path, a host or a blob key:
/// <c>{"status":"unavailable","checks":{"metadata":{"status":"ok"},"blobs":{"status":"unavailable","error":"..."}}}</c>.
/// </summary>
internal static class HealthReportWriter
{
    public const string Ok = "ok";
    public const string Unavailable = "unavailable";

    public const string MissingBlobs = "missing_blobs";

    public const string DamagedBlobs = "damaged_blobs";

    public static readonly IReadOnlyDictionary<string, object> NoDetails = new Dictionary<string, object>();

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        using var body = new MemoryStream();
        await using (var json = new Utf8JsonWriter(body, Options))
        {
            json.WriteStartObject();
            json.WriteString("status", StateOf(report.Status));
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                WriteEntry(json, name, entry);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), context.RequestAborted);
    }

    private static void WriteEntry(Utf8JsonWriter json, string name, HealthReportEntry entry)
    {
        json.WriteStartObject(name);
        json.WriteString("status", StateOf(entry.Status));
        if (entry.Status != HealthStatus.Healthy && entry.Description is { } error)
        {
            json.WriteString("error", error);
        }

        foreach (var (key, value) in entry.Data)
        {
            json.WritePropertyName(key);
            switch (value)
            {
                case int number:
                    json.WriteNumberValue(number);
                    break;
                case long number:
                    json.WriteNumberValue(number);
                    break;
                default:
                    json.WriteStringValue(value.ToString());
                    break;
            }
        }

        json.WriteEndObject();
    }

    // Degraded is never reported by Tessera's checks; a store is usable or it is not.
    private static string StateOf(HealthStatus status) => status == HealthStatus.Healthy ? Ok : Unavailable;
}
