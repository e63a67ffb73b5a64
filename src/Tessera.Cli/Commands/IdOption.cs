using System.CommandLine;

namespace Tessera.Cli.Commands;

/// <summary>
/// An id given as its flag (<c>--upload-id ID</c>) or, as the OpenAI CLI also takes it, as the first positional
/// argument. Exactly one of the two is required.
/// </summary>
internal sealed class IdOption
{
    private readonly string _flag;
    private readonly Option<string?> _option;
    private readonly Argument<string?> _argument;

    public IdOption(string flag, string description)
    {
        _flag = flag;
        _option = new Option<string?>(flag) { Description = description };
        _argument = new Argument<string?>(flag.TrimStart('-')) { Arity = ArgumentArity.ZeroOrOne, Description = $"The same as {flag}" };
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_option);
        command.Arguments.Add(_argument);
        command.Validators.Add(result =>
        {
            var fromFlag = result.GetValue(_option);
            var fromArgument = result.GetValue(_argument);
            if (fromFlag is null && fromArgument is null)
            {
                result.AddError($"Option '{_flag}' is required.");
            }
            else if (fromFlag is not null && fromArgument is not null)
            {
                result.AddError($"Unexpected extra argument '{fromArgument}': {_flag} is already given.");
            }
        });
    }

    public string ValueOf(ParseResult parse) => parse.GetValue(_option) ?? parse.GetValue(_argument)!;
}
