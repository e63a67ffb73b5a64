namespace Tessera.Domain;

/// <summary>Where an upload stands (docs/api.md section 4).</summary>
public enum UploadStatus
{
    Pending,
    Completed,
    Cancelled,
    Expired,
}

public static class UploadStatusNames
{
    /// <summary>The wire name of a status, as OpenAI's Upload object spells it.</summary>
    public static string ToWireName(this UploadStatus status) => status switch
    {
        UploadStatus.Pending => "pending",
        UploadStatus.Completed => "completed",
        UploadStatus.Cancelled => "cancelled",
        UploadStatus.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>Parses a stored wire name; throws on a name no version of Tessera writes.</summary>
    public static UploadStatus Parse(string name) => name switch
    {
        "pending" => UploadStatus.Pending,
        "completed" => UploadStatus.Completed,
        "cancelled" => UploadStatus.Cancelled,
        "expired" => UploadStatus.Expired,
        _ => throw new FormatException($"Unknown upload status '{name}'."),
    };
}
