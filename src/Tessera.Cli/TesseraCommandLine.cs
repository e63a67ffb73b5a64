using System.CommandLine;
using Tessera.Cli.Commands;
using Tessera.Cli.Output;
using Tessera.Client;

namespace Tessera.Cli;

/// <summary>
/// The <c>tessera</c> command line: the OpenAI CLI's grammar for uploads and files, and <c>tessera upload</c>. Every
/// failure is turned into its message and exit code here, and only here.
/// </summary>
internal static class TesseraCommandLine
{
    public static RootCommand Build(GlobalOptions global)
    {
        var root = new RootCommand("tessera: OpenAI's Uploads and Files API from the command line, against Tessera or any compatible server")
        {
            new UploadsCommands(global).Build(),
            new UploadPartsCommands(global).Build(),
            new FilesCommands(global).Build(),
            new UploadCommand(global).Build(),
        };
        global.AddTo(root);
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var global = new GlobalOptions();
        var parse = Build(global).Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }

            await Console.Error.WriteLineAsync($"Run '{string.Join(' ', CommandPathOf(parse))} --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                // Ctrl-C cancels the command's token; an upload then stops its parts and says how to resume.
                ProcessTerminationTimeout = TimeSpan.FromSeconds(10),
            });
        }
        catch (TesseraApiException exception)
        {
            ApiErrorReport.Write(Console.Error, CommandContext.ErrorWriter(parse, global), exception.Method, exception.Url,
                exception.Status, exception.ReasonPhrase, exception.ResponseBody);
            return ExitCodes.Failure;
        }
        catch (CliException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return exception.ExitCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutException or InvalidDataException or IOException)
        {
            await Console.Error.WriteLineAsync($"Error: {exception.Message}");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("Stopped.");
            return ExitCodes.Interrupted;
        }
    }

    private static Stack<string> CommandPathOf(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(result.Command is RootCommand ? "tessera" : result.Command.Name);
        }

        return names;
    }
}
