namespace Tessera.Cli.Output;

/// <summary>The values of <c>--format</c> and <c>--format-error</c>, as the OpenAI CLI names them.</summary>
internal static class OutputFormat
{
    /// <summary>Indented JSON, as <see cref="Json"/>.</summary>
    public const string Auto = "auto";

    /// <summary>Indented JSON.</summary>
    public const string Json = "json";

    /// <summary>One compact line per object; a list prints one line per item.</summary>
    public const string JsonLines = "jsonl";

    /// <summary>JSON in a titled panel, coloured on a terminal.</summary>
    public const string Pretty = "pretty";

    /// <summary>The response body exactly as received.</summary>
    public const string Raw = "raw";

    /// <summary>YAML in block style.</summary>
    public const string Yaml = "yaml";

    public static readonly string[] All = [Auto, Json, JsonLines, Pretty, Raw, Yaml];
}
