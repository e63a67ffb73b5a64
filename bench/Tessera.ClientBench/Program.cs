using System.Diagnostics;
using Tessera.Client;

// Usage: Tessera.ClientBench BASE_URL FILE PART_MIB PARALLEL md5|nomd5
// Prints one line: "<seconds> <peak RSS bytes> <seconds until every part was acknowledged> <file id>"; the rest of
// the time is the complete (with an MD5, the server reads the whole file back to check it). The file is deleted afterwards so repetitions do not fill the disk.
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: Tessera.ClientBench BASE_URL FILE PART_MIB PARALLEL md5|nomd5");
    return 2;
}

using var client = new TesseraClient(new TesseraClientOptions { BaseUrl = args[0], ApiKey = "bench", UseEnvironment = false });
var options = new ChunkedUploadOptions
{
    PartSize = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) << 20,
    Parallelism = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture),
    ComputeMd5 = args[4] == "md5",
    Resume = false,
};

// Untimed: a small upload first, so the timed one measures a running client, not the JIT and the first connections.
var warmUp = await client.Uploads.UploadFileAsync(new MemoryStream(new byte[4096]), "warm-up.bin", 4096, "batch", options with { PartSize = 1024 });
await client.Files.DeleteAsync(warmUp.Upload.File!.Id);

var clock = Stopwatch.StartNew();
var partsDone = TimeSpan.Zero;
options = options with { Progress = new PartsDoneClock(clock, at => partsDone = at) };
var result = await client.Uploads.UploadFileAsync(args[1], "batch", options);
var seconds = clock.Elapsed.TotalSeconds;
await client.Files.DeleteAsync(result.Upload.File!.Id);
Console.WriteLine(FormattableString.Invariant($"{seconds:F3} {PeakResidentBytes()} {partsDone.TotalSeconds:F3} {result.Upload.File.Id}"));
return 0;

// VmHWM: the most resident memory the process ever had (Linux); Process.PeakWorkingSet64 elsewhere.
static long PeakResidentBytes()
{
    if (File.Exists("/proc/self/status"))
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        if (line is not null)
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
    }

    return Process.GetCurrentProcess().PeakWorkingSet64;
}

/// <summary>Notes when the last part is acknowledged; reports arrive on the sending threads, in no particular order.</summary>
internal sealed class PartsDoneClock(Stopwatch clock, Action<TimeSpan> done) : IProgress<UploadProgress>
{
    public void Report(UploadProgress value)
    {
        if (value.PartsDone == value.PartsTotal)
        {
            done(clock.Elapsed);
        }
    }
}
