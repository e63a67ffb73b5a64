using System.CommandLine;
using Tessera.Contracts;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera uploads create|retrieve|complete|cancel</c>: OpenAI's Uploads API, one request each.</summary>
internal sealed class UploadsCommands(GlobalOptions global)
{
    private readonly IdOption _uploadId = new("--upload-id", "The upload's id (upload_...)");
    private readonly ExpiresAfterOptions _expiresAfter = new();

    private readonly Option<long> _bytes = new("--bytes") { Description = "The size of the whole file in bytes", Required = true };
    private readonly Option<string> _filename = new("--filename") { Description = "The file's name", Required = true };
    private readonly Option<string> _mimeType = new("--mime-type") { Description = "The file's MIME type", Required = true };
    private readonly Option<string> _purpose = new("--purpose")
    {
        Description = "assistants, batch, fine-tune, vision, user_data or evals",
        Required = true,
    };

    private readonly Option<string[]> _partIds = new("--part-id")
    {
        Description = "A part's id; repeat the flag for each part, in the file's order",
        Required = true,
    };

    private readonly Option<string?> _md5 = new("--md5") { Description = "The whole file's MD5 (hex), checked by the server" };

    public Command Build()
    {
        var create = new Command("create", "Create an upload that parts can be added to");
        create.Options.Add(_bytes);
        create.Options.Add(_filename);
        create.Options.Add(_mimeType);
        create.Options.Add(_purpose);
        _expiresAfter.AddTo(create);
        create.SetAction(CreateAsync);

        var retrieve = new Command("retrieve", "Show an upload (Tessera's extension)");
        _uploadId.AddTo(retrieve);
        retrieve.SetAction(RetrieveAsync);

        var complete = new Command("complete", "Complete an upload from its parts, in order");
        _uploadId.AddTo(complete);
        complete.Options.Add(_partIds);
        complete.Options.Add(_md5);
        complete.SetAction(CompleteAsync);

        var cancel = new Command("cancel", "Cancel an upload; no part may be added after it");
        _uploadId.AddTo(cancel);
        cancel.SetAction(CancelAsync);

        return new Command("uploads", "Uploads: create, retrieve, complete, cancel") { create, retrieve, complete, cancel };
    }

    // "Creates an intermediate Upload object that you can add Parts to."
    private async Task<int> CreateAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = CommandContext.Open(parse, global);
        var request = new CreateUploadRequest
        {
            Bytes = parse.GetValue(_bytes),
            Filename = parse.GetValue(_filename)!,
            MimeType = parse.GetValue(_mimeType)!,
            Purpose = parse.GetValue(_purpose)!,
            ExpiresAfter = _expiresAfter.ValueOf(parse),
        };
        var response = await context.Client.Uploads.CreateWithResponseAsync(request, cancellationToken);
        context.Output.WriteBody(response.Body, "uploads create");
        return ExitCodes.Success;
    }

    private async Task<int> RetrieveAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = CommandContext.Open(parse, global);
        var response = await context.Client.Uploads.GetWithResponseAsync(_uploadId.ValueOf(parse), cancellationToken);
        context.Output.WriteBody(response.Body, "uploads retrieve");
        return ExitCodes.Success;
    }

    // "Completes the Upload."
    private async Task<int> CompleteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = CommandContext.Open(parse, global);
        var request = new CompleteUploadRequest { PartIds = parse.GetValue(_partIds)!, Md5 = parse.GetValue(_md5) };
        var response = await context.Client.Uploads.CompleteWithResponseAsync(_uploadId.ValueOf(parse), request, cancellationToken);
        context.Output.WriteBody(response.Body, "uploads complete");
        return ExitCodes.Success;
    }

    // "Cancels the Upload. No Parts may be added after an Upload is cancelled."
    private async Task<int> CancelAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = CommandContext.Open(parse, global);
        var response = await context.Client.Uploads.CancelWithResponseAsync(_uploadId.ValueOf(parse), cancellationToken);
        context.Output.WriteBody(response.Body, "uploads cancel");
        return ExitCodes.Success;
    }
}
