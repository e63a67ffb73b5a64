using System.CommandLine.Parsing;
using System.Globalization;

namespace Tessera.Cli.Commands;

/// <summary>
/// Parsers for the numeric options, whose errors say in words what the value must be
/// (<c>--bytes must be a whole number of bytes, such as 1048576; got 'abc'.</c>). System.CommandLine's own error
/// names the .NET type (<c>as expected type 'System.Int64'</c>), which tells someone at a prompt nothing.
/// </summary>
internal static class WholeNumber
{
    public static Func<ArgumentResult, long> Long(string what) => result => Parse(result, what, long.MinValue, long.MaxValue) ?? 0;

    public static Func<ArgumentResult, long?> OptionalLong(string what) => result => Parse(result, what, long.MinValue, long.MaxValue);

    public static Func<ArgumentResult, int> Int(string what, int min = int.MinValue, int max = int.MaxValue) =>
        result => (int)(Parse(result, what, min, max) ?? 0);

    public static Func<ArgumentResult, int?> OptionalInt(string what) => result => (int?)Parse(result, what, int.MinValue, int.MaxValue);

    /// <summary>The value, or null with an error on the result when it is not a whole number from min to max.</summary>
    private static long? Parse(ArgumentResult result, string what, long min, long max)
    {
        if (result.Tokens.Count == 0)
        {
            // A flag with no value: System.CommandLine reports the missing value itself.
            return null;
        }

        var text = result.Tokens[^1].Value;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        var name = result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
        result.AddError($"{name} must be {what}; got '{text}'.");
        return null;
    }
}
