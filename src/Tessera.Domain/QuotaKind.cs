namespace Tessera.Domain;

/// <summary>The three things a project's quota bounds.</summary>
public enum QuotaKind
{
    Bytes,
    Files,
    PendingUploads,
}
