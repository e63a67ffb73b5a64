using System.CommandLine;
using Tessera.Cli.Output;
using Tessera.Client;
using Tessera.Contracts;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera uploads create|retrieve|complete|cancel</c>: OpenAI's Uploads API, one request each; and
/// <c>uploads list</c>, the pending uploads (Tessera's extension).
/// </summary>
internal sealed class UploadsCommands(GlobalOptions global)
{
    private readonly IdOption _uploadId = new("--upload-id", "The upload's id (upload_...)");
    private readonly ExpiresAfterOptions _expiresAfter = new();

    private readonly Option<long> _bytes = new("--bytes")
    {
        Description = "The size of the whole file in bytes",
        Required = true,
        CustomParser = WholeNumber.Long("a whole number of bytes, such as 1048576"),
    };
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

    private readonly Option<string?> _after = new("--after") { Description = "An upload id: the list continues after it" };
    private readonly Option<int?> _limit = new("--limit")
    {
        Description = "Uploads per page (the server's default: 10000)",
        CustomParser = WholeNumber.OptionalInt("a whole number, such as 100"),
    };
    private readonly Option<string?> _order = new("--order") { Description = "asc or desc by created_at (default desc)" };
    private readonly Option<int?> _maxItems = new("--max-items")
    {
        Description = "Print at most this many uploads (pages are fetched while more are wanted)",
        CustomParser = WholeNumber.OptionalInt("a whole number, such as 100"),
    };

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

        var list = new Command("list", "List the pending uploads, each with the bytes received so far, page after page (Tessera's extension)");
        list.Options.Add(_after);
        list.Options.Add(_limit);
        list.Options.Add(_order);
        list.Options.Add(_maxItems);
        list.SetAction(ListAsync);

        return new Command("uploads", "Uploads: create, retrieve, list, complete, cancel") { create, retrieve, list, complete, cancel };
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

    // Our extension: the project's pending uploads, every page fetched while has_more, as `files list` does.
    private async Task<int> ListAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = CommandContext.Open(parse, global);
        var query = new UploadListOptions { After = parse.GetValue(_after), Limit = parse.GetValue(_limit), Order = parse.GetValue(_order) };
        await ListOutput.WritePagesAsync(context.Output,
            after => context.Client.Uploads.ListWithResponseAsync(after is null ? query : query with { After = after }, cancellationToken),
            upload => upload.Id, "uploads list", parse.GetValue(_maxItems) ?? int.MaxValue);
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
