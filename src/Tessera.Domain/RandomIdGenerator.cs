using System.Security.Cryptography;

namespace Tessera.Domain;

/// <summary>Identifiers from a cryptographic random source, so that nobody can guess another project's ids.</summary>
public sealed class RandomIdGenerator : IIdGenerator
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    public string NewUploadId() => "upload_" + RandomHex();

    public string NewPartId() => "part_" + RandomHex();

    public string NewFileId() => "file-" + RandomNumberGenerator.GetString(Base58Alphabet, 22);

    private static string RandomHex() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
