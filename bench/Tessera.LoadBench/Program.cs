using System.Globalization;
using Tessera.LoadBench;
using Tessera.LoadBench.Nodes;
using Tessera.LoadBench.Ops;

// Usage: dotnet Tessera.LoadBench.dll --server path/to/Tessera.Server.dll [--clients 32] [--rounds 3] [--seconds 5]
//        [--warmup 3] [--files 100] [--port 19500]. bench/load.sh builds both in Release and passes --server.
//    or: dotnet Tessera.LoadBench.dll nodes ... (see NodesOptions), which bench/nodes.sh runs against a cluster it starts.
//    or: dotnet Tessera.LoadBench.dll ops ... (see OpsOptions): telemetry and quotas on against off, run by bench/ops.sh.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
var cancellationToken = stop.Token;
if (args is ["nodes", ..])
{
    await NodesBench.RunAsync(args[1..], cancellationToken);
    return;
}

if (args is ["ops", ..])
{
    await OpsBench.RunAsync(args[1..], cancellationToken);
    return;
}

var options = Options.Parse(args);

await using var server = await ServerProcess.StartAsync(options.ServerDll, options.Port, cancellationToken);
using var client = server.CreateClient();
var scenarios = new Scenarios(client);
for (var i = 0; i < options.Files; i++)
{
    await scenarios.SeedFileAsync(cancellationToken);
}

Func<Timings, CancellationToken, Task<bool>> list = async (t, ct) => { await scenarios.ListAsync(t, ct); return true; };
Func<Timings, CancellationToken, Task<bool>> createCancel = async (t, ct) => { await scenarios.CreateCancelAsync(t, ct); return true; };
Func<Timings, CancellationToken, Task<bool>> createPartComplete = async (t, ct) => { await scenarios.CreatePartCompleteAsync(t, ct); return true; };

// Every path is warmed up before anything is timed, so the JIT's first rounds fall on no phase.
Console.Error.WriteLine($"[loadbench] warm-up: {options.Warmup.TotalSeconds} s of each scenario");
foreach (var scenario in new[] { list, createCancel, createPartComplete, list })
{
    await LoadPhase.RunAsync("warm-up", options.Clients, options.Warmup, scenario, cancellationToken);
}

// Until none is left, so that the project holds exactly its seeded files when list is timed.
await LoadPhase.RunAsync("warm-up", options.Clients, TimeSpan.FromMinutes(10), scenarios.DeleteMadeFileAsync, cancellationToken);

// The phases are interleaved round by round, so that whatever else the machine does falls on list and writes alike.
var rounds = new List<PhaseResult[]>();
for (var round = 1; round <= options.Rounds; round++)
{
    Console.Error.WriteLine($"[loadbench] round {round} of {options.Rounds}: {options.Duration.TotalSeconds} s per phase");
    rounds.Add(
    [
        await LoadPhase.RunAsync("list", options.Clients, options.Duration, list, cancellationToken),
        await LoadPhase.RunAsync("create+cancel", options.Clients, options.Duration, createCancel, cancellationToken),
        await LoadPhase.RunAsync("create+part(1 KiB)+complete", options.Clients, options.Duration, createPartComplete, cancellationToken),
        // Every file the phase before made, so the project is back at its seeded files for the next round's list.
        await LoadPhase.RunAsync("delete", options.Clients, TimeSpan.FromMinutes(10), scenarios.DeleteMadeFileAsync, cancellationToken),
    ]);
}

var phases = Enumerable.Range(0, rounds[0].Length).Select(p => PhaseResult.Combine(rounds.Select(r => r[p]).ToArray())).ToArray();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{options.Clients} clients, {options.Files} files in the project, {options.Rounds} rounds of {options.Duration.TotalSeconds} s per phase (delete: until the files made are gone), after {options.Warmup.TotalSeconds} s of warm-up per scenario"));
Console.WriteLine();
Console.Write(Report.Render(phases[0], phases[1..], []));
Console.WriteLine();
Console.WriteLine("req/s per round: " + string.Join("; ", phases.Select((phase, p) =>
    phase.Name + " " + string.Join(" ", rounds.Select(r => r[p].RequestsPerSecond.ToString("F0", CultureInfo.InvariantCulture))))));

internal sealed record Options(string ServerDll, int Clients, TimeSpan Duration, TimeSpan Warmup, int Files, int Port, int Rounds)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var server = values.GetValueOrDefault("server") ?? throw new ArgumentException("--server path/to/Tessera.Server.dll is required");
        return new Options(Path.GetFullPath(server), Int("clients", 32), TimeSpan.FromSeconds(Int("seconds", 5)),
            TimeSpan.FromSeconds(Int("warmup", 3)), Int("files", 100), Int("port", 19500), Int("rounds", 3));
    }
}
