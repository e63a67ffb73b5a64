using System.CommandLine;
using Tessera.Cli.Progress;
using Tessera.Client;
using Tessera.Contracts;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera files download FILE_ID -o PATH</c>: a file's bytes into PATH with a progress bar. The bytes go to
/// <c>PATH.part</c> first; a download that stopped halfway continues from that file's end with a <c>Range</c> request.
/// When the server sends the file's CRC32C, the bytes (those already in <c>PATH.part</c> included) are checked
/// against it at the end; on a mismatch <c>PATH.part</c> is deleted and the command fails saying to download again.
/// Stopped by Ctrl-C, it says how much <c>PATH.part</c> holds and the command that continues from there.
/// </summary>
internal sealed class DownloadCommand(GlobalOptions global)
{
    private const int CopyBufferBytes = 1 << 20;

    private readonly IdOption _fileId = new("--file-id", "The file's id (file-...)");
    private readonly Option<string> _output = new("--output", "-o") { Description = "Where to write the file", Required = true };

    public Command Build()
    {
        var download = new Command("download", "Download a file with progress, resuming a partial download (Tessera's extension)");
        _fileId.AddTo(download);
        download.Options.Add(_output);
        download.SetAction(DownloadAsync);
        return download;
    }

    private async Task<int> DownloadAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = CommandContext.Open(parse, global);
        var fileId = _fileId.ValueOf(parse);
        var path = parse.GetValue(_output)!;
        var partial = path + ".part";

        var answer = await context.Client.Files.GetWithResponseAsync(fileId, cancellationToken);
        var file = answer.Value;
        var offset = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (offset > file.Bytes)
        {
            offset = 0;
        }

        if (offset > 0)
        {
            Console.Error.WriteLine($"Resuming {path} at byte {offset} of {file.Bytes}.");
        }

        try
        {
            await TransferDisplay.RunAsync($"{fileId} -> {Path.GetFileName(path)}", file.Bytes, async report =>
            {
                report(offset, offset);
                if (offset < file.Bytes)
                {
                    await CopyAsync(context.Client, fileId, partial, offset, report, cancellationToken);
                }
                else if (Crc32C.TryParseHeaderValue(answer.Crc32C, out var expected) && await Crc32COfAsync(partial, cancellationToken) is var held && held != expected)
                {
                    throw new ChecksumMismatchException(
                        $"The bytes in {partial} do not match the checksum of {fileId} (CRC32C {answer.Crc32C} expected, {Crc32C.ToHeaderValue(held)} found).",
                        answer.Crc32C!, Crc32C.ToHeaderValue(held));
                }

                return true;
            });
        }
        catch (ChecksumMismatchException exception)
        {
            File.Delete(partial);
            throw new CliException($"Error: {exception.Message}\n{partial} was deleted; run the same command again to download the file afresh.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var held = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            await Console.Error.WriteLineAsync(
                $"Stopped: {held} of {file.Bytes} bytes of {fileId} are in {partial}. Run the same command again to continue from there: "
                + $"tessera files download {fileId} -o {CommandLineText.Quote(path)}");
            return ExitCodes.Interrupted;
        }

        File.Move(partial, path, overwrite: true);
        Console.Out.WriteLine($"Wrote output to: {path}");
        return ExitCodes.Success;
    }

    private static async Task CopyAsync(TesseraClient client, string fileId, string partial, long offset, TransferReport report, CancellationToken cancellationToken)
    {
        FileContent content;
        var skipped = offset;
        try
        {
            // The bytes already here are hashed first, so the whole file is checked at the end, not just the rest.
            content = offset == 0
                ? await client.Files.OpenContentAsync(fileId, 0, cancellationToken)
                : await client.Files.OpenContentAsync(fileId, offset, await Crc32COfAsync(partial, cancellationToken), cancellationToken);
        }
        catch (NotSupportedException)
        {
            // The server ignored Range: the whole file comes again, so the partial one starts over.
            offset = 0;
            skipped = 0;
            content = await client.Files.OpenContentAsync(fileId, 0, cancellationToken);
        }

        await using (content)
        await using (var target = new FileStream(partial, offset > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
        {
            var buffer = new byte[CopyBufferBytes];
            var done = offset;
            int read;
            while ((read = await content.Stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                done += read;
                report(done, skipped);
            }
        }
    }

    private static async Task<uint> Crc32COfAsync(string path, CancellationToken cancellationToken)
    {
        var crc = Crc32C.Create();
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await crc.AppendAsync(file, cancellationToken);
        return crc.GetCurrentHashAsUInt32();
    }
}
