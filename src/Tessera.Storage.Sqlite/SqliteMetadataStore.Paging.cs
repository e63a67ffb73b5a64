using Microsoft.Data.Sqlite;

namespace Tessera.Storage.Sqlite;

public sealed partial class SqliteMetadataStore
{
    /// <summary>
    /// One page of a list the API pages by keyset: the rows of <paramref name="table"/> that <paramref name="where"/>
    /// admits, ordered by created_at and then by <paramref name="tieBreaker"/> (rows created in the same second),
    /// starting after the row <paramref name="after"/> names among those <paramref name="cursorWhere"/> admits. Null when
    /// there is no such row. One row past the limit is read to tell whether more follow.
    /// </summary>
    private static async Task<(List<T> Rows, bool HasMore)?> KeysetPageAsync<T>(
        SqliteConnection connection, string table, string tieBreaker, string columns, string where, string cursorWhere,
        (string, object?)[] parameters, string? after, ListOrder order, int limit, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        var descending = order == ListOrder.Descending;
        var bound = new List<(string, object?)>(parameters) { ("$take", limit + 1) };
        if (after is not null)
        {
            var cursor = await QueryAsync(connection, null,
                $"SELECT created_at, {tieBreaker} FROM {table} WHERE id = $after AND {cursorWhere};",
                [.. parameters, ("$after", after)], r => (CreatedAt: r.GetInt64(0), Tie: r.GetInt64(1)), cancellationToken);
            if (cursor.Count == 0)
            {
                return null;
            }

            where += $" AND (created_at, {tieBreaker}) {(descending ? "<" : ">")} ($afterCreated, $afterTie)";
            bound.Add(("$afterCreated", cursor[0].CreatedAt));
            bound.Add(("$afterTie", cursor[0].Tie));
        }

        var direction = descending ? "DESC" : "ASC";
        var rows = await QueryAsync(connection, null,
            $"SELECT {columns} FROM {table} WHERE {where} ORDER BY created_at {direction}, {tieBreaker} {direction} LIMIT $take;",
            [.. bound], read, cancellationToken);
        var hasMore = rows.Count > limit;
        return (hasMore ? rows[..limit] : rows, hasMore);
    }
}
