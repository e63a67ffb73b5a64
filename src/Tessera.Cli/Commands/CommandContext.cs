using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Cli.Http;
using Tessera.Cli.Output;
using Tessera.Client;

namespace Tessera.Cli.Commands;

/// <summary>What a command's handler works with: the client, configured from the global flags, and the writers for its answer.</summary>
internal sealed class CommandContext : IDisposable
{
    private readonly ServiceProvider _services;

    private CommandContext(ServiceProvider services, TesseraClient client, JsonDocumentWriter output)
    {
        _services = services;
        Client = client;
        Output = output;
    }

    public TesseraClient Client { get; }

    /// <summary>Writes the answer on standard output in the <c>--format</c> format.</summary>
    public JsonDocumentWriter Output { get; }

    /// <summary>Whether standard output is a terminal (not a file or a pipe).</summary>
    public static bool OutputIsTerminal => !Console.IsOutputRedirected;

    /// <summary>Whether standard error is a terminal: where progress bars go.</summary>
    public static bool ErrorIsTerminal => !Console.IsErrorRedirected;

    public static CommandContext Open(ParseResult parse, GlobalOptions global)
    {
        var options = new TesseraClientOptions
        {
            ApiKey = parse.GetValue(global.ApiKey),
            BaseUrl = parse.GetValue(global.BaseUrl),
            Organization = parse.GetValue(global.Organization),
            Project = parse.GetValue(global.Project),
        };

        // The client's own registration, so a --debug log sits inside its retry pipeline and shows every attempt.
        var services = new ServiceCollection();
        var http = services.AddTesseraClient(configure => Copy(options, configure));
        if (parse.GetValue(global.Debug))
        {
            http.AddHttpMessageHandler(() => new DebugLoggingHandler(Console.Error));
        }

        var provider = services.BuildServiceProvider();
        var output = new JsonDocumentWriter(Console.Out, parse.GetValue(global.Format)!, OutputIsTerminal);
        return new CommandContext(provider, provider.GetRequiredService<TesseraClient>(), output);
    }

    /// <summary>The writer for an API error's object on standard error, in the <c>--format-error</c> format.</summary>
    public static JsonDocumentWriter ErrorWriter(ParseResult parse, GlobalOptions global) =>
        new(Console.Error, parse.GetValue(global.FormatError) ?? OutputFormat.Auto, ErrorIsTerminal);

    public void Dispose() => _services.Dispose();

    private static void Copy(TesseraClientOptions from, TesseraClientOptions to)
    {
        to.ApiKey = from.ApiKey;
        to.BaseUrl = from.BaseUrl;
        to.Organization = from.Organization;
        to.Project = from.Project;
    }
}
