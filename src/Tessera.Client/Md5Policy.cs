namespace Tessera.Client;

/// <summary>When a chunked upload computes the whole file's MD5 and sends it at completion for the server to check.</summary>
public enum Md5Policy
{
    /// <summary>
    /// Only against a server that does not announce CRC32C checks (OpenAI's): a Tessera server checks every part's
    /// CRC32C as it arrives and the whole file's at completion, which MD5 would only repeat at about a third of the speed.
    /// </summary>
    UnlessServerChecksCrc32C,

    /// <summary>Always, as well as any CRC32C: the completed upload's <c>md5</c> is then OpenAI's whole-file MD5, checked.</summary>
    Always,

    /// <summary>Never; a server that checks CRC32C still does.</summary>
    Never,
}
