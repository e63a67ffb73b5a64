namespace Tessera.Domain;

/// <summary>An upload as stored: the status is the stored one; <see cref="StatusAt"/> applies expiry.</summary>
public sealed record Upload
{
    public required string Id { get; init; }
    public required string ProjectId { get; init; }
    public required string Filename { get; init; }
    public required string Purpose { get; init; }
    public required long Bytes { get; init; }
    public required string MimeType { get; init; }
    public required long CreatedAt { get; init; }
    public required long ExpiresAt { get; init; }
    public required UploadStatus Status { get; init; }

    /// <summary>The <c>expires_after.seconds</c> given at creation; governs the file made at completion. Null when none was given.</summary>
    public int? FileExpiresAfterSeconds { get; init; }

    /// <summary>The file made at completion; null until then.</summary>
    public string? FileId { get; init; }

    /// <summary>The <c>part_ids</c> that completed the upload, in order; null until then.</summary>
    public IReadOnlyList<string>? CompletedPartIds { get; init; }

    /// <summary>The status a client sees at <paramref name="now"/>: a pending upload past its <see cref="ExpiresAt"/> has expired.</summary>
    public UploadStatus StatusAt(long now) =>
        Status == UploadStatus.Pending && now >= ExpiresAt ? UploadStatus.Expired : Status;
}
