using System.CommandLine;
using Tessera.Cli.Output;
using Tessera.Client;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera files create|retrieve|list|delete|content</c>: OpenAI's Files API, and <c>files download</c>.</summary>
internal sealed class FilesCommands(GlobalOptions global)
{
    private readonly IdOption _fileId = new("--file-id", "The file's id (file-...)");
    private readonly ExpiresAfterOptions _expiresAfter = new();

    private readonly Option<string> _file = new("--file") { Description = "The file to send: a path, or - for standard input", Required = true };
    private readonly Option<string> _purpose = new("--purpose")
    {
        Description = "assistants, batch, fine-tune, vision, user_data or evals",
        Required = true,
    };

    private readonly Option<string?> _after = new("--after") { Description = "A file id: the list continues after it" };
    private readonly Option<int?> _limit = new("--limit")
    {
        Description = "Files per page (the server's default: 10000)",
        CustomParser = WholeNumber.OptionalInt("a whole number, such as 100"),
    };
    private readonly Option<string?> _order = new("--order") { Description = "asc or desc by created_at (default desc)" };
    private readonly Option<string?> _purposeFilter = new("--purpose") { Description = "Only files of this purpose" };
    private readonly Option<int?> _maxItems = new("--max-items")
    {
        Description = "Print at most this many files (pages are fetched while more are wanted)",
        CustomParser = WholeNumber.OptionalInt("a whole number, such as 100"),
    };

    private readonly Option<string?> _output = new("--output", "-o") { Description = "Write the bytes to this file instead of standard output" };

    public Command Build()
    {
        var create = new Command("create", "Send a file (at most 512 MB on Tessera; use `tessera upload` for larger ones)");
        create.Options.Add(_file);
        create.Options.Add(_purpose);
        _expiresAfter.AddTo(create);
        create.SetAction(CreateAsync);

        var retrieve = new Command("retrieve", "Show a file");
        _fileId.AddTo(retrieve);
        retrieve.SetAction(RetrieveAsync);

        var list = new Command("list", "List files, page after page");
        list.Options.Add(_after);
        list.Options.Add(_limit);
        list.Options.Add(_order);
        list.Options.Add(_purposeFilter);
        list.Options.Add(_maxItems);
        list.SetAction(ListAsync);

        var delete = new Command("delete", "Delete a file");
        _fileId.AddTo(delete);
        delete.SetAction(DeleteAsync);

        var content = new Command("content", "Print a file's bytes, or write them with --output");
        _fileId.AddTo(content);
        content.Options.Add(_output);
        content.SetAction(ContentAsync);

        return new Command("files", "Files: create, retrieve, list, delete, content, download")
        {
            create, retrieve, list, delete, content, new DownloadCommand(global).Build(),
        };
    }

    // "Upload a file that can be used across various endpoints."
    private async Task<int> CreateAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = CommandContext.Open(parse, global);
        var file = parse.GetValue(_file)!;
        await using var stream = InputFile.Open("--file", file);
        var filename = InputFile.IsStandardInput(file) ? "stdin" : Path.GetFileName(InputFile.PathOf(file));
        var response = await context.Client.Files.CreateWithResponseAsync(
            stream, filename, parse.GetValue(_purpose)!, _expiresAfter.ValueOf(parse), cancellationToken);
        context.Output.WriteBody(response.Body, "files create");
        return ExitCodes.Success;
    }

    private async Task<int> RetrieveAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = CommandContext.Open(parse, global);
        var response = await context.Client.Files.GetWithResponseAsync(_fileId.ValueOf(parse), cancellationToken);
        context.Output.WriteBody(response.Body, "files retrieve");
        return ExitCodes.Success;
    }

    // "Returns a list of files." Every page is fetched while has_more, as the OpenAI CLI's auto-paging list does.
    private async Task<int> ListAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = CommandContext.Open(parse, global);
        var query = new FileListOptions
        {
            After = parse.GetValue(_after),
            Limit = parse.GetValue(_limit),
            Order = parse.GetValue(_order),
            Purpose = parse.GetValue(_purposeFilter),
        };
        await ListOutput.WritePagesAsync(context.Output,
            after => context.Client.Files.ListWithResponseAsync(after is null ? query : query with { After = after }, cancellationToken),
            file => file.Id, "files list", parse.GetValue(_maxItems) ?? int.MaxValue);
        return ExitCodes.Success;
    }

    // "Delete a file and remove it from all vector stores."
    private async Task<int> DeleteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = CommandContext.Open(parse, global);
        var response = await context.Client.Files.DeleteWithResponseAsync(_fileId.ValueOf(parse), cancellationToken);
        context.Output.WriteBody(response.Body, "files delete");
        return ExitCodes.Success;
    }

    // "Returns the contents of the specified file."
    private async Task<int> ContentAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        using var context = CommandContext.Open(parse, global);
        await using var content = await context.Client.Files.OpenContentAsync(_fileId.ValueOf(parse), 0, cancellationToken);
        var output = parse.GetValue(_output);
        if (output is null or "-")
        {
            await using var stdout = Console.OpenStandardOutput();
            await content.Stream.CopyToAsync(stdout, cancellationToken);
            return ExitCodes.Success;
        }

        await using (var file = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
        {
            await content.Stream.CopyToAsync(file, 1 << 20, cancellationToken);
        }

        Console.Out.WriteLine($"Wrote output to: {output}");
        return ExitCodes.Success;
    }
}
