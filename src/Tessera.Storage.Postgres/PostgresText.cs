using System.Text;
using Npgsql;

namespace Tessera.Storage.Postgres;

/// <summary>
/// File names as a client sent them, in UTF-8 bytes: PostgreSQL's text cannot hold a NUL character, which a name may
/// contain and the other stores keep.
/// </summary>
internal static class PostgresText
{
    public static byte[] Encode(string text) => Encoding.UTF8.GetBytes(text);

    public static string Decode(NpgsqlDataReader reader, int ordinal) => Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(ordinal));
}
