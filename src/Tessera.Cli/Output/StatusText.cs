using System.Net;

namespace Tessera.Cli.Output;

/// <summary>The standard reason phrase of a status (as Go's <c>http.StatusText</c>, which the OpenAI CLI prints), whatever the server sent.</summary>
internal static class StatusText
{
    private static readonly Dictionary<int, string> Phrases = new()
    {
        [400] = "Bad Request",
        [401] = "Unauthorized",
        [403] = "Forbidden",
        [404] = "Not Found",
        [405] = "Method Not Allowed",
        [408] = "Request Timeout",
        [409] = "Conflict",
        [413] = "Request Entity Too Large",
        [415] = "Unsupported Media Type",
        [416] = "Requested Range Not Satisfiable",
        [422] = "Unprocessable Entity",
        [429] = "Too Many Requests",
        [500] = "Internal Server Error",
        [502] = "Bad Gateway",
        [503] = "Service Unavailable",
        [504] = "Gateway Timeout",
        [507] = "Insufficient Storage",
    };

    /// <summary>The phrase for <paramref name="status"/>; the server's own phrase (or none) for a status not in the table.</summary>
    public static string Of(HttpStatusCode status, string? serverPhrase) =>
        Phrases.TryGetValue((int)status, out var phrase) ? phrase : serverPhrase ?? "";
}
