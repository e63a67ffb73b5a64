using System.Globalization;
using Microsoft.Extensions.Options;

namespace Tessera.Server.Hosting;

/// <summary>
/// The data folder of the embedded stores (<c>Tessera:DataPath</c>), created if missing. When it holds a SQLite
/// database it is locked for as long as this server runs, so that a second server on the same folder refuses to
/// start instead of sharing its files; holding only blobs beside a shared database, it may be shared by several nodes.
/// </summary>
/// <remarks>
/// The lock is a byte-range lock on <c>tessera.lock</c> (<see cref="FileStream.Lock"/>: <c>fcntl</c> on Unix,
/// <c>LockFile</c> on Windows); the operating system drops it when the process ends, however it ends. The file
/// holds the owner's process id, outside the locked byte, so a refused server can say who holds the folder.
/// Unix byte-range locks belong to a process, not to a handle, so folders locked by this process are also
/// remembered here: a second server in the same process (tests) is refused too.
/// </remarks>
public sealed class DataFolder : IDisposable
{
    public const string LockFileName = "tessera.lock";

    private const long LockedByte = 1024;

    private static readonly HashSet<string> LockedByThisProcess = new(StringComparer.Ordinal);

    private readonly FileStream? _lockFile;

    private DataFolder(string fullPath, FileStream? lockFile)
    {
        FullPath = fullPath;
        _lockFile = lockFile;
    }

    /// <summary>The folder's absolute path.</summary>
    public string FullPath { get; }

    /// <summary>Whether this server holds the folder's lock.</summary>
    public bool IsLocked => _lockFile is not null;

    /// <summary>
    /// Resolves a relative <c>Tessera:DataPath</c> against the working directory (where the server was started,
    /// not where its binary is).
    /// </summary>
    public static string Resolve(string dataPath) => Path.GetFullPath(dataPath, Environment.CurrentDirectory);

    /// <summary>Creates the folder if needed and locks it.</summary>
    /// <exception cref="StartupException">The folder cannot be created or written, or another server holds it.</exception>
    public static DataFolder Acquire(string dataPath)
    {
        var fullPath = ResolveOrExplain(dataPath);
        FileStream lockFile;
        try
        {
            Directory.CreateDirectory(fullPath);
            lockFile = new FileStream(Path.Combine(fullPath, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw CannotCreate(fullPath, exception);
        }

        lock (LockedByThisProcess)
        {
            if (LockedByThisProcess.Contains(fullPath))
            {
                lockFile.Dispose();
                throw InUse(fullPath, Environment.ProcessId);
            }

            try
            {
                // .NET has no byte-range lock on macOS; there only servers within one process are kept apart.
                if (!OperatingSystem.IsMacOS())
                {
                    lockFile.Lock(LockedByte, 1);
                }

                WriteOwner(lockFile);
            }
            catch (IOException)
            {
                var owner = ReadOwner(lockFile);
                lockFile.Dispose();
                throw InUse(fullPath, owner);
            }

            LockedByThisProcess.Add(fullPath);
            return new DataFolder(fullPath, lockFile);
        }
    }

    /// <summary>Creates the folder if needed, without locking it: other nodes may use it too.</summary>
    /// <exception cref="StartupException">The folder cannot be created.</exception>
    public static DataFolder Open(string dataPath)
    {
        var fullPath = ResolveOrExplain(dataPath);
        try
        {
            Directory.CreateDirectory(fullPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw CannotCreate(fullPath, exception);
        }

        return new DataFolder(fullPath, lockFile: null);
    }

    private static string ResolveOrExplain(string dataPath)
    {
        try
        {
            return Resolve(dataPath);
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new StartupException(StartupProblem.Configuration, $"Tessera:DataPath: '{dataPath}' is not a usable path: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Registers the folder as a singleton, made (and locked when <paramref name="exclusive"/>) when a store first
    /// needs it: when the host resolves its hosted services at start, after the settings were validated and before
    /// Kestrel binds.
    /// </summary>
    internal static IServiceCollection AddDataFolder(IServiceCollection services, bool exclusive) =>
        services.AddSingleton(sp =>
        {
            var dataPath = sp.GetRequiredService<IOptions<TesseraOptions>>().Value.DataPath;
            var logger = sp.GetRequiredService<ILogger<DataFolder>>();
            if (!exclusive)
            {
                var shared = Open(dataPath);
                logger.DataFolderShared(shared.FullPath);
                return shared;
            }

            var folder = Acquire(dataPath);
            logger.DataFolderLocked(folder.FullPath, Environment.ProcessId);
            return folder;
        });

    public void Dispose()
    {
        if (_lockFile is null)
        {
            return;
        }

        lock (LockedByThisProcess)
        {
            LockedByThisProcess.Remove(FullPath);
            _lockFile.Dispose();
        }
    }

    private static StartupException CannotCreate(string fullPath, Exception exception) =>
        new(StartupProblem.Environment,
            $"Tessera:DataPath: cannot create or write the data folder {fullPath}: {FileInTheWay(fullPath) ?? exception.Message}", exception);

    private static StartupException InUse(string fullPath, int? owner) =>
        new(StartupProblem.Environment,
            $"Tessera:DataPath: the data folder {fullPath} is in use by another Tessera server " +
            (owner is { } pid ? $"(process {pid.ToString(CultureInfo.InvariantCulture)})" : "(process unknown)") +
            "; stop it or choose another folder.");

    /// <summary>The clearer reason when a file stands where the path needs a folder (the system only says "could not find a part of the path").</summary>
    private static string? FileInTheWay(string fullPath)
    {
        for (var path = fullPath; !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
            {
                return $"{path} is a file, not a folder.";
            }
        }

        return null;
    }

    private static void WriteOwner(FileStream lockFile)
    {
        var owner = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        lockFile.SetLength(0);
        lockFile.Write(owner);
        lockFile.Flush(flushToDisk: false);
    }

    private static int? ReadOwner(FileStream lockFile)
    {
        try
        {
            var buffer = new byte[32];
            lockFile.Position = 0;
            var read = lockFile.Read(buffer);
            var text = System.Text.Encoding.ASCII.GetString(buffer, 0, read).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
