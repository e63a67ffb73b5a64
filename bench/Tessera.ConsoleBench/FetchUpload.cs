using System.Diagnostics;

namespace Tessera.ConsoleBench;

/// <summary>
/// A diagnostic, not the console: the same file sent from a script in a page on the server's origin, plain
/// <c>fetch</c> of 16 MiB parts (the console's) or 64 MiB ones (the CLI's) 4 at a time with no hashing in the page and no
/// interface, so the table can tell Chromium's own upload ceiling apart from what the console adds on top of it.
/// </summary>
internal static class FetchUpload
{
    private const string Script = """
        async (partSize, parallel) => {
          const file = document.querySelector('input[type=file]').files[0];
          const auth = { authorization: 'Bearer tessera-open' };
          const json = { ...auth, 'content-type': 'application/json' };
          const check = async (response) => { if (!response.ok) throw new Error(await response.text()); return response.json(); };
          const upload = await check(await fetch('/v1/uploads', { method: 'POST', headers: json,
            body: JSON.stringify({ filename: file.name, purpose: 'batch', bytes: file.size, mime_type: 'application/octet-stream' }) }));
          const count = Math.ceil(file.size / partSize);
          const ids = new Array(count);
          let next = 0;
          const sender = async () => {
            while (next < count) {
              const index = next++;
              const form = new FormData();
              form.append('data', file.slice(index * partSize, Math.min(file.size, (index + 1) * partSize)), 'blob');
              ids[index] = (await check(await fetch(`/v1/uploads/${upload.id}/parts`, { method: 'POST', headers: auth, body: form }))).id;
            }
          };
          await Promise.all(Array.from({ length: parallel }, sender));
          await check(await fetch(`/v1/uploads/${upload.id}/complete`, { method: 'POST', headers: json, body: JSON.stringify({ part_ids: ids }) }));
        }
        """;

    /// <summary>
    /// Only the console's own CRC32Cs of the file's 16 MiB parts (its <c>crc32c.js</c>, a worker reading each part and
    /// handing its bytes back), one part after another, nothing sent: whether hashing keeps up with the network.
    /// </summary>
    public static async Task<Measured> HashAsync(HeadlessChromium chromium, Uri root, string file, CpuTime cpu, CancellationToken cancellationToken)
    {
        await using var tab = await OpenConsoleWithFileAsync(chromium, root, file, cancellationToken);
        var spent = cpu.Read();
        var clock = Stopwatch.StartNew();
        await tab.EvaluateAsync("""
            (async () => {
              const { crc32cReader } = await import('/console/crc32c.js');
              const file = document.querySelector('input[type=file]').files[0];
              const partSize = 16 * 1024 * 1024;
              const reader = crc32cReader();
              for (let offset = 0; offset < file.size; offset += partSize) await reader.read(file.slice(offset, offset + partSize));
              reader.stop();
            })()
            """, cancellationToken);
        return new Measured(clock.Elapsed, cpu.Since(spent));
    }

    /// <summary>Sends the file in parts of <paramref name="partMib"/> MiB, 4 at a time, and completes it with no checksum.</summary>
    public static async Task<Measured> RunAsync(HeadlessChromium chromium, Uri root, string file, int partMib, CpuTime cpu, CancellationToken cancellationToken)
    {
        await using var tab = await OpenConsoleWithFileAsync(chromium, root, file, cancellationToken);
        var spent = cpu.Read();
        var clock = Stopwatch.StartNew();
        await tab.EvaluateAsync($"({Script})({partMib * 1024 * 1024}, 4)", cancellationToken);
        return new Measured(clock.Elapsed, cpu.Since(spent));
    }

    /// <summary>
    /// A fresh tab on the console's origin with the file picked in its file input, which is how a page script gets
    /// at a file; the console's own upload is never started.
    /// </summary>
    private static async Task<BrowserTab> OpenConsoleWithFileAsync(HeadlessChromium chromium, Uri root, string file, CancellationToken cancellationToken)
    {
        var tab = await chromium.NewTabAsync(cancellationToken);
        await tab.NavigateAsync(new Uri(root, "console"), "document.querySelector('input[type=file]') !== null", cancellationToken);
        await tab.SetInputFileAsync("input[type=file]", file, cancellationToken);
        return tab;
    }
}
