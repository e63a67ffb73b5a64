namespace Tessera.Domain;

/// <summary>When a new file expires (docs/api.md section 3, "complete" and <c>POST /files</c>).</summary>
public static class FileExpiry
{
    /// <summary>
    /// From <c>expires_after.seconds</c> when given, anchored at <paramref name="createdAt"/>; otherwise 30 days for
    /// <c>batch</c> files and never for the rest.
    /// </summary>
    public static long? ExpiresAt(string purpose, int? expiresAfterSeconds, long createdAt, TesseraLimits limits) =>
        expiresAfterSeconds is { } seconds ? createdAt + seconds
        : purpose == "batch" ? createdAt + limits.BatchFileTimeToLiveSeconds
        : null;

    /// <summary>Checks <c>expires_after.seconds</c> against its range; <paramref name="param"/> names the field in the error.</summary>
    public static void SecondsInRange(long seconds, TesseraLimits limits, string param)
    {
        if (seconds < limits.MinFileExpiresAfterSeconds || seconds > limits.MaxFileExpiresAfterSeconds)
        {
            throw ApiErrors.InvalidField(param,
                $"{seconds} is not within [{limits.MinFileExpiresAfterSeconds}, {limits.MaxFileExpiresAfterSeconds}] - '{param}'");
        }
    }

    /// <summary>The only anchor OpenAI defines is <c>created_at</c>.</summary>
    public static void AnchorIsCreatedAt(string anchor, string param)
    {
        if (anchor != "created_at")
        {
            throw ApiErrors.InvalidField(param, Purposes.NotOneOfMessage(anchor, ["created_at"], param));
        }
    }
}
