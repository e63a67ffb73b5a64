namespace Tessera.Storage;

/// <summary>Blob keys are minted by Tessera, never taken from a client: letters, digits, <c>_</c> and <c>-</c> only, so a key can never become a path.</summary>
public static class BlobKeys
{
    public static bool IsValid(string key) =>
        key.Length is >= 3 and <= 128 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
