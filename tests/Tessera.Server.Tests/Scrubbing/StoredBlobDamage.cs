namespace Tessera.Server.Tests.Scrubbing;

/// <summary>Damage done to the folder blob store's files behind the server's back, as a failing disk would.</summary>
internal static class StoredBlobDamage
{
    /// <summary>The file that holds blob <paramref name="blobKey"/>: <c>blobs/&lt;last two characters of the key&gt;/&lt;key&gt;</c>.</summary>
    public static string PathOf(string dataPath, string blobKey) => Path.Combine(dataPath, "blobs", blobKey[^2..], blobKey);

    /// <summary>Inverts one bit of the byte at <paramref name="offset"/>, leaving the length as it was.</summary>
    public static void FlipByte(string dataPath, string blobKey, long offset)
    {
        using var file = new FileStream(PathOf(dataPath, blobKey), FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var original = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(original ^ 0x01));
    }
}
