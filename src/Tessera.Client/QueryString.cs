using System.Globalization;

namespace Tessera.Client;

/// <summary>The query string of a list request: each value escaped, each null one left out so the server's default applies.</summary>
internal static class QueryString
{
    /// <summary><c>?name=value&amp;...</c> of the values that are set; empty when none is.</summary>
    public static string Of(params (string Name, string? Value)[] parameters)
    {
        var set = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return set.Count == 0 ? "" : "?" + string.Join('&', set);
    }

    public static string? Of(int? value) => value?.ToString(CultureInfo.InvariantCulture);
}
