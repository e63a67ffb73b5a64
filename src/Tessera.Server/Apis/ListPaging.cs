using System.Globalization;
using Tessera.Domain;
using Tessera.Server.OpenApi;
using Tessera.Storage;

namespace Tessera.Server.Apis;

/// <summary>
/// The query every cursor-paged list reads (<c>GET /files</c>, <c>GET /uploads</c>): <c>limit</c>, <c>order</c> and
/// <c>after</c>, with the same defaults, the same description and the same 400 naming the param for a bad value.
/// </summary>
internal static class ListPaging
{
    public const int MaxLimit = 10_000;

    /// <summary>The three parameters as the OpenAPI document describes them; only what <c>after</c> names differs.</summary>
    public static QueryParameter[] Parameters(string afterDescription) =>
    [
        new("limit", $"A limit on the number of objects to be returned, 1 to {MaxLimit}.", IsInteger: true, Default: $"{MaxLimit}"),
        new("order", "Sort order by the created_at timestamp of the objects.", AllowedValues: ["asc", "desc"], Default: "desc"),
        new("after", afterDescription),
    ];

    /// <summary>The page's size, order and cursor; throws the 400 of the first bad one.</summary>
    public static (int Limit, ListOrder Order, string? After) Read(IQueryCollection query)
    {
        var limit = MaxLimit;
        if (Single(query, "limit") is { } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            throw ApiErrors.InvalidField("limit", $"'{Shorten(limitText)}' is not an integer within [1, {MaxLimit}] - 'limit'");
        }

        var order = Single(query, "order") switch
        {
            null or "desc" => ListOrder.Descending,
            "asc" => ListOrder.Ascending,
            var other => throw ApiErrors.InvalidField("order", Purposes.NotOneOfMessage(Shorten(other), ["asc", "desc"], "order")),
        };
        return (limit, order, Single(query, "after"));
    }

    /// <summary>The parameter's one value, null when absent; a parameter given twice is refused rather than guessed at.</summary>
    public static string? Single(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values))
        {
            return null;
        }

        return values.Count == 1 ? values[0] : throw ApiErrors.InvalidField(name, $"The query parameter '{name}' is given more than once.");
    }

    /// <summary>A value quoted back in an error, cut short so a huge one does not fill the message.</summary>
    public static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
