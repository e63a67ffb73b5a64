using System.Diagnostics;
using Tessera.Client;

// Usage: ClientUpload BASE_URL FILE PART_MIB PARALLEL md5|nomd5
// Prints one line: "<seconds> <peak RSS bytes> <file id>". The file is deleted afterwards so repetitions do not fill the disk.
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: ClientUpload BASE_URL FILE PART_MIB PARALLEL md5|nomd5");
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

var clock = Stopwatch.StartNew();
var result = await client.Uploads.UploadFileAsync(args[1], "batch", options);
var seconds = clock.Elapsed.TotalSeconds;
await client.Files.DeleteAsync(result.Upload.File!.Id);
Console.WriteLine(FormattableString.Invariant($"{seconds:F3} {PeakResidentBytes()} {result.Upload.File.Id}"));
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
