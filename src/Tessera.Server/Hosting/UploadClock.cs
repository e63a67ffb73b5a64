namespace Tessera.Server.Hosting;

/// <summary>The API's notion of now: whole Unix seconds from the injected <see cref="TimeProvider"/>.</summary>
public sealed class UploadClock(TimeProvider timeProvider)
{
    public long Now => timeProvider.GetUtcNow().ToUnixTimeSeconds();

    public DateTimeOffset UtcNow => timeProvider.GetUtcNow();
}
