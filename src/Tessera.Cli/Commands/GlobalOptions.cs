using System.CommandLine;
using Tessera.Cli.Output;

namespace Tessera.Cli.Commands;

/// <summary>The flags every command takes, with the OpenAI CLI's names and environment variables.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = "The API key, sent as a bearer token [env: OPENAI_API_KEY]",
        Recursive = true,
        DefaultValueFactory = _ => FromEnvironment("OPENAI_API_KEY"),
    };

    public Option<string?> BaseUrl { get; } = new("--base-url")
    {
        Description = "The API's base URL, with /v1 (e.g. http://127.0.0.1:8080/v1) [env: OPENAI_BASE_URL]",
        HelpName = "url",
        Recursive = true,
        DefaultValueFactory = _ => FromEnvironment("OPENAI_BASE_URL"),
    };

    public Option<string?> Organization { get; } = new("--organization")
    {
        Description = "Sent as OpenAI-Organization [env: OPENAI_ORG_ID]",
        Recursive = true,
        DefaultValueFactory = _ => FromEnvironment("OPENAI_ORG_ID"),
    };

    public Option<string?> Project { get; } = new("--project")
    {
        Description = "Sent as OpenAI-Project [env: OPENAI_PROJECT_ID]",
        Recursive = true,
        DefaultValueFactory = _ => FromEnvironment("OPENAI_PROJECT_ID"),
    };

    public Option<string> Format { get; } = FormatOption("--format", "The format of the response on standard output");

    public Option<string> FormatError { get; } = FormatOption("--format-error", "The format of an API error's object on standard error");

    public Option<bool> Debug { get; } = new("--debug")
    {
        Description = "Print each request and response (headers; the key masked) on standard error",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(ApiKey);
        root.Options.Add(BaseUrl);
        root.Options.Add(Organization);
        root.Options.Add(Project);
        root.Options.Add(Format);
        root.Options.Add(FormatError);
        root.Options.Add(Debug);
        BaseUrl.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } url && !IsHttpUrl(url))
            {
                result.AddError($"--base-url '{url}' is missing a scheme (expected http:// or https://).");
            }
        });
    }

    private static bool IsHttpUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static Option<string> FormatOption(string name, string description)
    {
        var option = new Option<string>(name)
        {
            Description = $"{description}: {string.Join(", ", OutputFormat.All)}",
            Recursive = true,
            DefaultValueFactory = _ => OutputFormat.Auto,
            CustomParser = result => result.Tokens.Single().Value.ToLowerInvariant(),
        };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!OutputFormat.All.Contains(value))
            {
                result.AddError($"{name} must be one of: {string.Join(", ", OutputFormat.All)} (got '{value}').");
            }
        });
        return option;
    }

    private static string? FromEnvironment(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
