using System.Diagnostics;
using System.Globalization;

namespace Tessera.Testing.Engines;

/// <summary>
/// The PostgreSQL server programs that Debian's <c>postgresql</c> package installs, run as the <c>postgres</c> user
/// when the tests run as root (PostgreSQL refuses to run as root).
/// </summary>
internal sealed class PostgresInstallation
{
    private const string SearchRoot = "/usr/lib/postgresql";

    private PostgresInstallation(string binDirectory, bool asPostgresUser)
    {
        BinDirectory = binDirectory;
        AsPostgresUser = asPostgresUser;
    }

    public string BinDirectory { get; }

    /// <summary>Whether the programs run through <c>runuser -u postgres</c>, and the cluster's folders must belong to that user.</summary>
    public bool AsPostgresUser { get; }

    /// <summary>The newest installed version's programs.</summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is not installed; the message says how to install it.</exception>
    public static PostgresInstallation Find()
    {
        var bin = Directory.Exists(SearchRoot)
            ? Directory.GetDirectories(SearchRoot)
                .Select(version => Path.Combine(version, "bin"))
                .Where(path => File.Exists(Path.Combine(path, "initdb")) && File.Exists(Path.Combine(path, "pg_ctl")))
                .OrderByDescending(path => int.TryParse(Path.GetFileName(Path.GetDirectoryName(path)), CultureInfo.InvariantCulture, out var major) ? major : 0)
                .FirstOrDefault()
            : null;
        return bin is null
            ? throw new InvalidOperationException(
                $"PostgreSQL is not installed (no initdb under {SearchRoot}/*/bin). Run scripts/test.sh, which installs it, or `apt-get install -y postgresql`.")
            : new PostgresInstallation(bin, string.Equals(Environment.UserName, "root", StringComparison.Ordinal));
    }

    /// <summary>Makes <paramref name="directory"/> the postgres user's, when the programs run as that user.</summary>
    public Task GiveToPostgresUserAsync(string directory, CancellationToken cancellationToken) =>
        AsPostgresUser ? RunAsync("chown", ["postgres:postgres", directory], cancellationToken) : Task.CompletedTask;

    /// <summary>Runs one of PostgreSQL's programs to its end; throws with its output when it fails.</summary>
    public Task<string> RunToolAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var program = Path.Combine(BinDirectory, tool);
        return AsPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments], cancellationToken)
            : RunAsync(program, arguments, cancellationToken);
    }

    private static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var text = (await output) + (await errors);
        return process.ExitCode == 0
            ? text
            : throw new InvalidOperationException($"{fileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}:\n{text}");
    }
}
