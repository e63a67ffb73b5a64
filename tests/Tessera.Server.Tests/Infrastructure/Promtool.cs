using System.Diagnostics;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// Prometheus' own <c>promtool</c> (Debian's <c>prometheus</c> package), as an operator runs it on a scrape. Where it
/// is missing the check is skipped, saying so; under CI (<c>CI</c> set) a missing promtool fails the test instead, so the
/// check never silently goes away there (scripts/test.sh installs it).
/// </summary>
public static class Promtool
{
    /// <summary>Runs <c>promtool check metrics</c> on <paramref name="exposition"/>: its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var promtool = Locate();
        var start = new ProcessStartInfo(promtool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("check");
        start.ArgumentList.Add("metrics");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        return (process.ExitCode, (await output + await errors).Trim());
    }

    private static string Locate()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, "promtool"))
            .FirstOrDefault(File.Exists);
        if (found is not null)
        {
            return found;
        }

        const string Missing = "promtool is not installed (apt-get install -y prometheus), so the scrape could not be checked with it";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail(Missing + "; under CI this check must run.");
        }

        Assert.Skip(Missing + ".");
        return "";
    }
}
