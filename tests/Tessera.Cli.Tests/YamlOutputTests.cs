using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Tessera.Cli.Tests.Infrastructure;
using YamlDotNet.Serialization;

namespace Tessera.Cli.Tests;

/// <summary><c>--format yaml</c> read back by a YAML reader gives the same values as <c>--format json</c>.</summary>
public sealed class YamlOutputTests : IAsyncLifetime
{
    // File names YAML would read as something else, or as more than a name, if they were written plain.
    private static readonly string[] AwkwardNames =
    [
        "yes", "No", "null", "~", "007", "1e3", "-1", ".5", "a: b #c", "-dash", "? q", "@at", "[x]", "{y}", "*star", "!tag",
        "%pct", "|pipe", ">gt", "'single'", "trailing:", "plain name.txt",
    ];

    private static readonly IDeserializer Reader = new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().Build();

    private TesseraTestServer _server = null!;
    private TesseraCli _tessera = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await TesseraTestServer.StartAsync();
        _tessera = new TesseraCli(_server.BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        _tessera.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_list_of_files_with_names_yaml_would_misread_reads_back_as_the_same_values_as_its_json()
    {
        using var http = _server.CreateClient();
        foreach (var name in AwkwardNames)
        {
            using var form = new MultipartFormDataContent();
            form.Add(new StringContent("evals"), "purpose");
            var file = new ByteArrayContent("x"u8.ToArray());
            file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            form.Add(file, "file", name);
            using var response = await http.PostAsync("files", form, TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        var jsonl = await OutputOfAsync("files", "list", "--purpose", "evals", "--format", "jsonl");
        var yaml = await OutputOfAsync("files", "list", "--purpose", "evals", "--format", "yaml");

        var fromJson = jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => Plain(JsonDocument.Parse(line).RootElement)).ToList();
        var fromYaml = yaml.Split("---\n").Select(document => Reader.Deserialize<object?>(document)).Select(Plain).ToList();
        Assert.Equal(AwkwardNames.Length, fromJson.Count);
        Assert.Equal(fromJson, fromYaml);
        Assert.Equal(AwkwardNames.Order(StringComparer.Ordinal), fromYaml.Select(f => (string)((Dictionary<string, object?>)f!)["filename"]!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_completed_upload_with_its_nested_file_reads_back_as_the_same_values_as_its_json()
    {
        var path = Path.Combine(_tessera.DataHome, "true");
        await File.WriteAllTextAsync(path, "some bytes", TestContext.Current.CancellationToken);

        var yaml = await OutputOfAsync("upload", path, "--purpose", "assistants", "--format", "yaml");
        var uploadId = (string)((Dictionary<string, object?>)Plain(Reader.Deserialize<object?>(yaml))!)["id"]!;
        var json = await OutputOfAsync("uploads", "retrieve", uploadId, "--format", "json");

        Assert.Equal(Plain(JsonDocument.Parse(json).RootElement), Plain(Reader.Deserialize<object?>(yaml)));
        Assert.Contains("file:\n  id: file-", yaml, StringComparison.Ordinal);
        Assert.Contains("  filename: \"true\"\n", yaml, StringComparison.Ordinal);
    }

    private async Task<string> OutputOfAsync(params string[] args)
    {
        var run = await _tessera.RunAsync(args);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.StandardOutput;
    }

    /// <summary>A value as plain .NET objects, the same whichever reader made it: numbers as decimals, keys as strings.</summary>
    private static object? Plain(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => p.Name, p => Plain(p.Value)),
        JsonValueKind.Array => value.EnumerateArray().Select(Plain).ToList(),
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetDecimal(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static object? Plain(object? value) => value switch
    {
        IDictionary<object, object?> mapping => mapping.ToDictionary(p => (string)p.Key, p => Plain(p.Value)),
        IList<object?> sequence => sequence.Select(Plain).ToList(),
        string or bool or null => value,
        _ => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
    };
}
