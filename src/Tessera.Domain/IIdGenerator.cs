namespace Tessera.Domain;

/// <summary>Mints the identifiers of docs/api.md section 1. Behind an interface so that tests can make them predictable.</summary>
public interface IIdGenerator
{
    /// <summary><c>upload_</c> followed by 32 lower-case hex digits.</summary>
    string NewUploadId();

    /// <summary><c>part_</c> followed by 32 lower-case hex digits.</summary>
    string NewPartId();

    /// <summary><c>file-</c> followed by 22 base58 characters.</summary>
    string NewFileId();
}
