using System.CommandLine;
using Tessera.Contracts;

namespace Tessera.Cli.Commands;

/// <summary>The dotted flags <c>--expires-after.anchor</c> and <c>--expires-after.seconds</c>, which make the request's <c>expires_after</c> object.</summary>
internal sealed class ExpiresAfterOptions
{
    private readonly Option<string?> _anchor = new("--expires-after.anchor")
    {
        Description = "What the expiry counts from; OpenAI defines only created_at (the default when seconds are given)",
    };

    private readonly Option<long?> _seconds = new("--expires-after.seconds")
    {
        Description = "Seconds after the anchor when the file expires (3600 .. 2592000)",
        CustomParser = WholeNumber.OptionalLong("a whole number of seconds, such as 86400"),
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_anchor);
        command.Options.Add(_seconds);
        command.Validators.Add(result =>
        {
            // Whether the flag was given, not its value: a value that did not parse has its own error already.
            if (result.GetValue(_anchor) is not null && result.GetResult(_seconds) is null)
            {
                result.AddError("Option '--expires-after.seconds' is required with '--expires-after.anchor'.");
            }
        });
    }

    /// <summary>The <c>expires_after</c> object; null when neither flag is given.</summary>
    public ExpiresAfter? ValueOf(ParseResult parse) =>
        parse.GetValue(_seconds) is { } seconds
            ? new ExpiresAfter { Anchor = parse.GetValue(_anchor) ?? ExpiresAfter.CreatedAtAnchor, Seconds = seconds }
            : null;
}
