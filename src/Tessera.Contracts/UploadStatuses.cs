namespace Tessera.Contracts;

/// <summary>The values of <see cref="UploadObject.Status"/>.</summary>
public static class UploadStatuses
{
    public const string Pending = "pending";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Expired = "expired";
}
