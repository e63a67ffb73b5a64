using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Tessera.Client;

/// <summary>
/// One JSON file per file being uploaded, named by a hash of the server's base URL and the file's full path, size
/// and modification time: a changed file, or the same path on another server, never picks up a stale upload.
/// Each acknowledged part is recorded at once (written to a temporary file, then renamed over the old one), so a
/// killed process loses at most the parts still in flight.
/// </summary>
internal sealed class ResumeStateStore : IDisposable
{
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly string _file;

    private ResumeStateStore(string file) => _file = file;

    public ResumeState State { get; private set; } = new();

    public static string DefaultDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "tessera", "uploads");

    /// <summary>The store for <paramref name="source"/>, with the state an earlier run left (or an empty one).</summary>
    public static ResumeStateStore Open(string? directory, Uri baseUrl, FileInfo source)
    {
        var key = $"{baseUrl}\n{source.FullName}\n{source.Length}\n{source.LastWriteTimeUtc.Ticks}";
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32] + ".json";
        var store = new ResumeStateStore(Path.Combine(directory ?? DefaultDirectory, name));
        store.State = store.Read() ?? new ResumeState
        {
            BaseUrl = baseUrl.ToString(),
            Path = source.FullName,
            Bytes = source.Length,
            ModifiedUtcTicks = source.LastWriteTimeUtc.Ticks,
        };
        return store;
    }

    /// <summary>Whether an earlier run left an upload to continue.</summary>
    public bool HasUpload => State.UploadId.Length > 0;

    public async Task StartAsync(string uploadId, int partSize, bool serverChecksCrc32C, CancellationToken cancellationToken)
    {
        State.UploadId = uploadId;
        State.PartSize = partSize;
        State.ServerChecksCrc32C = serverChecksCrc32C;
        State.Parts.Clear();
        await SaveAsync(cancellationToken);
    }

    public async Task RecordPartAsync(int index, string partId, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            State.Parts[index] = partId;
            await SaveCoreAsync(cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Forgets the upload: it completed, or it cannot be continued.</summary>
    public void Delete()
    {
        State.UploadId = "";
        State.Parts.Clear();
        File.Delete(_file);
    }

    public void Dispose() => _writing.Dispose();

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await SaveCoreAsync(cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task SaveCoreAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        var temporary = _file + ".tmp";
        await File.WriteAllBytesAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(State, ResumeStateJsonContext.Default.ResumeState), cancellationToken);
        File.Move(temporary, _file, overwrite: true);
    }

    private ResumeState? Read()
    {
        try
        {
            return File.Exists(_file) ? JsonSerializer.Deserialize(File.ReadAllBytes(_file), ResumeStateJsonContext.Default.ResumeState) : null;
        }
        catch (Exception exception) when (exception is JsonException or IOException)
        {
            // A damaged state file only costs a fresh start.
            return null;
        }
    }
}
