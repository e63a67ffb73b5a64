using System.Security.Cryptography;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Tessera.Server.Hosting;

/// <summary>
/// The folder of one file, whose change is seen by reading the file through its path every <see cref="Interval"/>
/// and comparing a digest of its bytes. The physical provider's own polling looks every 4 s and may need a second
/// look before it reports a change, so a change took up to 8 s; this one reports it within a second. Reading the
/// bytes rather than the write time also sees a Kubernetes swap by symlink, and two writes within one timestamp
/// tick. A file that cannot be read at a look (missing between a rename and the next) is not a change: the last
/// settings read stay until it can be read again.
/// </summary>
internal sealed class PolledFileProvider : IFileProvider, IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly PhysicalFileProvider _folder;
    private readonly string _path;
    private readonly Timer _timer;
    private byte[]? _digest;
    private CancellationTokenSource _changed = new();

    public PolledFileProvider(string path)
    {
        _path = path;
        _folder = new PhysicalFileProvider(Path.GetDirectoryName(path)!);
        _digest = Digest(path);
        // One look at a time: the timer is armed again only once a look, and the reload it may start, has finished.
        _timer = new Timer(_ => Look(), null, Interval, Timeout.InfiniteTimeSpan);
    }

    public IFileInfo GetFileInfo(string subpath) => _folder.GetFileInfo(subpath);

    public IDirectoryContents GetDirectoryContents(string subpath) => _folder.GetDirectoryContents(subpath);

    /// <summary>A token that fires at the next change of the file; <paramref name="filter"/> is always that file.</summary>
    public IChangeToken Watch(string filter) => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    public void Dispose()
    {
        _timer.Dispose();
        _folder.Dispose();
    }

    private void Look()
    {
        try
        {
            if (Digest(_path) is { } digest && (_digest is null || !digest.AsSpan().SequenceEqual(_digest)))
            {
                _digest = digest;
                // Swapped before it fires, so whoever watches again from its callback gets the next change.
                var fired = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
                fired.Cancel();
            }
        }
        catch (AggregateException)
        {
            // A listener's failure is its own to report (SettingsReloadCheck logs settings that are not valid); the
            // file is watched on, as the physical provider's polling did.
        }
        finally
        {
            try
            {
                _timer.Change(Interval, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Disposed while looking: the server is stopping.
            }
        }
    }

    private static byte[]? Digest(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return SHA256.HashData(file);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
