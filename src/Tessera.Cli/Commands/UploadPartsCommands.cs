using System.CommandLine;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera uploads:parts create|list</c>: add one part to an upload, or list the parts it holds (Tessera's extension).</summary>
internal sealed class UploadPartsCommands(GlobalOptions global)
{
    private readonly IdOption _uploadId = new("--upload-id", "The upload's id (upload_...)");

    private readonly Option<string> _data = new("--data")
    {
        Description = "The part's bytes: a file's path, or - for standard input (at most 64 MiB)",
        Required = true,
    };

    public Command Build()
    {
        var create = new Command("create", "Add a part to a pending upload");
        _uploadId.AddTo(create);
        create.Options.Add(_data);
        create.SetAction(CreateAsync);

        var list = new Command("list", "List the parts an upload holds, with their size and MD5 (Tessera's extension)");
        _uploadId.AddTo(list);
        list.SetAction(ListAsync);

        return new Command("uploads:parts", "The parts of an upload: create, list") { create, list };
    }

    // "Adds a Part to an Upload object. A Part represents a chunk of bytes from the file you are trying to upload."
    private async Task<int> CreateAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = CommandContext.Open(parse, global);
        await using var data = InputFile.Open("--data", parse.GetValue(_data)!);
        Tessera.Client.ApiResponse<Tessera.Contracts.UploadPartObject> response;
        try
        {
            response = await context.Client.Uploads.AddPartWithResponseAsync(_uploadId.ValueOf(parse), data, cancellationToken);
        }
        catch (ArgumentException exception) when (exception.ParamName == "data")
        {
            throw CliException.Usage(
                $"--data: a part holds at most {Tessera.Client.UploadsClient.MaxPartBytes} bytes (64 MiB) and this one is larger; split it, or send the whole file with 'tessera upload PATH'.");
        }

        context.Output.WriteBody(response.Body, "uploads:parts create");
        return ExitCodes.Success;
    }

    private async Task<int> ListAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = CommandContext.Open(parse, global);
        var response = await context.Client.Uploads.ListPartsWithResponseAsync(_uploadId.ValueOf(parse), cancellationToken);
        ListOutput.Write(context.Output, response.Body, "uploads:parts list", int.MaxValue);
        return ExitCodes.Success;
    }
}
