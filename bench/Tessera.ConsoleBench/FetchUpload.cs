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
        async ([partSize, parallel]) => {
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
    public static async Task<Measured> HashAsync(IBrowser chromium, Uri root, string file, CpuTime cpu)
    {
        await using var context = await chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = root.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("console");
        await page.Locator("input[type=file]").SetInputFilesAsync(file);
        var spent = cpu.Read();
        var clock = Stopwatch.StartNew();
        await page.EvaluateAsync("""
            async () => {
              const { crc32cReader } = await import('/console/crc32c.js');
              const file = document.querySelector('input[type=file]').files[0];
              const partSize = 16 * 1024 * 1024;
              const reader = crc32cReader();
              for (let offset = 0; offset < file.size; offset += partSize) await reader.read(file.slice(offset, offset + partSize));
              reader.stop();
            }
            """);
        return new Measured(clock.Elapsed, cpu.Since(spent));
    }

    /// <summary>Sends the file in parts of <paramref name="partMib"/> MiB, 4 at a time, and completes it with no checksum.</summary>
    public static async Task<Measured> RunAsync(IBrowser chromium, Uri root, string file, int partMib, CpuTime cpu)
    {
        await using var context = await chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = root.ToString() });
        var page = await context.NewPageAsync();
        // The console's origin and its file input, which holds the picked file; its own upload is never started.
        await page.GotoAsync("console");
        await page.Locator("input[type=file]").SetInputFilesAsync(file);
        var spent = cpu.Read();
        var clock = Stopwatch.StartNew();
        await page.EvaluateAsync(Script, new object?[] { partMib * 1024 * 1024, 4 });
        return new Measured(clock.Elapsed, cpu.Since(spent));
    }
}
