using System.CommandLine;
using Tessera.Cli.Progress;
using Tessera.Client;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera upload PATH --purpose P</c>: a file of any size (up to the server's 8 GiB) in parallel parts, with
/// progress, every part checked by its CRC32C against Tessera (by the file's MD5 against a server that does not check
/// CRC32C). Run again after an interruption (Ctrl-C, a killed process, a dropped
/// connection), it continues the same upload, sending only the parts the server does not hold.
/// </summary>
internal sealed class UploadCommand(GlobalOptions global)
{
    private readonly Argument<string> _path = new("path") { Description = "The file to upload" };

    private readonly Option<string> _purpose = new("--purpose")
    {
        Description = "assistants, batch, fine-tune, vision, user_data or evals",
        Required = true,
    };

    private readonly Option<long> _partSize = new("--part-size")
    {
        Description = "Bytes per part, e.g. 64MiB or 8M (at most 64 MiB)",
        DefaultValueFactory = _ => UploadsClient.MaxPartBytes,
        CustomParser = result => ByteSize.TryParse(result.Tokens.Single().Value) ?? -1,
    };

    private readonly Option<int> _parallel = new("--parallel")
    {
        Description = "Parts in flight at once",
        DefaultValueFactory = _ => 4,
        CustomParser = WholeNumber.Int("a whole number of parts from 1 to 64, such as 4", 1, 64),
    };

    private readonly Option<bool> _md5 = new("--md5")
    {
        Description = "Also compute the file's MD5 and have the server check it, against a server that checks CRC32C (default: MD5 only against one that does not)",
    };

    private readonly Option<bool> _noMd5 = new("--no-md5") { Description = "Do not compute the file's MD5 nor have the server check it (CRC32C is still checked where the server does)" };
    private readonly Option<long?> _expiresAfterSeconds = new("--expires-after.seconds")
    {
        Description = "Seconds after its creation when the file expires (3600 .. 2592000)",
        CustomParser = WholeNumber.OptionalLong("a whole number of seconds, such as 86400"),
    };
    private readonly Option<string?> _mimeType = new("--mime-type") { Description = "The file's MIME type (default: guessed from its extension)" };
    private readonly Option<string?> _filename = new("--filename") { Description = "The name the file gets (default: its own name)" };

    private readonly Option<bool> _resume = new("--resume")
    {
        Description = "Continue an interrupted upload of the same unchanged file (default: on; --resume false starts over)",
        DefaultValueFactory = _ => true,
    };

    public Command Build()
    {
        var upload = new Command("upload", "Upload a file in parallel parts with progress, resumable (Tessera's extension)");
        upload.Arguments.Add(_path);
        upload.Options.Add(_purpose);
        upload.Options.Add(_partSize);
        upload.Options.Add(_parallel);
        upload.Options.Add(_md5);
        upload.Options.Add(_noMd5);
        upload.Options.Add(_expiresAfterSeconds);
        upload.Options.Add(_mimeType);
        upload.Options.Add(_filename);
        upload.Options.Add(_resume);
        _partSize.Validators.Add(result =>
        {
            var size = result.GetValueOrDefault<long>();
            if (size is < 1 or > UploadsClient.MaxPartBytes)
            {
                result.AddError($"--part-size must be a size from 1 B to 64 MiB (e.g. 64MiB, 8M, 1048576).");
            }
        });
        upload.Validators.Add(result =>
        {
            if (result.GetValue(_md5) && result.GetValue(_noMd5))
            {
                result.AddError("--md5 and --no-md5 contradict each other: give --md5 to have the server check the file's MD5, --no-md5 to skip it, or neither.");
            }
        });
        upload.SetAction(UploadAsync);
        return upload;
    }

    private async Task<int> UploadAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var path = parse.GetValue(_path)!;
        if (!File.Exists(path))
        {
            throw CliException.Usage($"upload: no such file: {path}");
        }

        var length = new FileInfo(path).Length;
        var partSize = parse.GetValue(_partSize);
        if ((length + partSize - 1) / partSize > UploadsClient.MaxPartsPerUpload)
        {
            var smallest = ChunkedUploadOptions.SmallestPartSize(length, UploadsClient.MaxPartsPerUpload);
            throw CliException.Usage(
                $"upload: {Path.GetFileName(path)} ({length} bytes) in parts of {partSize} bytes needs more than {UploadsClient.MaxPartsPerUpload} parts, "
                + $"the most an upload may have; use --part-size {smallest} or larger.");
        }

        using var context = CommandContext.Open(parse, global);
        string? uploadId = null;
        var partsDone = 0;
        var partsTotal = 0;
        try
        {
            var result = await TransferDisplay.RunAsync($"upload {Path.GetFileName(path)}", length, report =>
            {
                var options = new ChunkedUploadOptions
                {
                    PartSize = (int)partSize,
                    Parallelism = parse.GetValue(_parallel),
                    Md5 = parse.GetValue(_md5) ? Md5Policy.Always : parse.GetValue(_noMd5) ? Md5Policy.Never : Md5Policy.UnlessServerChecksCrc32C,
                    ExpiresAfter = parse.GetValue(_expiresAfterSeconds) is { } seconds ? new Tessera.Contracts.ExpiresAfter { Seconds = seconds } : null,
                    MimeType = parse.GetValue(_mimeType),
                    Filename = parse.GetValue(_filename),
                    Resume = parse.GetValue(_resume),
                    Progress = new SynchronousProgress<UploadProgress>(progress =>
                    {
                        uploadId = progress.UploadId;
                        partsDone = progress.PartsDone;
                        partsTotal = progress.PartsTotal;
                        report(progress.BytesDone, progress.BytesReused);
                    }),
                };
                return context.Client.Uploads.UploadFileAsync(path, parse.GetValue(_purpose)!, options, cancellationToken);
            });

            if (result.ResumeNotice is { } notice)
            {
                await Console.Error.WriteLineAsync(notice);
            }

            if (result.PartsReused > 0)
            {
                await Console.Error.WriteLineAsync($"Resumed upload {result.Upload.Id}: {result.PartsReused} parts were already on the server, {result.PartsSent} sent now.");
            }

            context.Output.WriteBody(System.Text.Json.JsonSerializer.Serialize(result.Upload, Tessera.Contracts.TesseraJsonContext.Default.UploadObject), "upload");
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync(uploadId is null
                ? "Stopped before the upload was created; nothing is left on the server."
                : $"Stopped: {partsDone} of {partsTotal} parts of upload {uploadId} are on the server. "
                    + $"Run the same command again to resume: tessera upload {CommandLineText.Quote(path)} --purpose {CommandLineText.Quote(parse.GetValue(_purpose)!)}");
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>Reports on the caller's thread: <see cref="Progress{T}"/> would post to the thread pool and could report after the upload ended.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
