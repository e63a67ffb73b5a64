using System.Diagnostics;
using Tessera.Contracts;

// Usage: Tessera.ChecksumBench FILE...
// Prints "<crc32c as the header writes it> <bytes> <CPU seconds of the pass>" for the files laid end to end, read in
// 4 MiB pieces as the server's folder store gathers them.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Tessera.ChecksumBench FILE...");
    return 2;
}

var buffer = new byte[4 << 20];
var crc = Crc32C.Create();
long bytes = 0;
var hashing = new Stopwatch();
foreach (var path in args)
{
    await using var file = File.OpenRead(path);
    int read;
    while ((read = await file.ReadAsync(buffer)) > 0)
    {
        // Only the checksum counts as the pass, not the reads: the server's CRC32C runs over bytes already in memory.
        // One thread busy on it the whole time, so its elapsed time is its CPU time, at a finer grain than the OS counts.
        hashing.Start();
        crc.Append(buffer.AsSpan(0, read));
        hashing.Stop();
        bytes += read;
    }
}

Console.WriteLine($"{Crc32C.ToHeaderValue(crc.GetCurrentHashAsUInt32())} {bytes} {hashing.Elapsed.TotalSeconds:0.000}");
return 0;
