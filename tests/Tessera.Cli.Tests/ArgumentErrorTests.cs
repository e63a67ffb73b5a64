using Tessera.Cli.Tests.Infrastructure;

namespace Tessera.Cli.Tests;

/// <summary>A value that is not a number, told in words: no .NET type name reaches the person at the prompt.</summary>
public sealed class ArgumentErrorTests : IDisposable
{
    // Never reached: the command line is refused before any request.
    private readonly TesseraCli _tessera = new(new Uri("http://127.0.0.1:9/v1/"));

    [Theory]
    [InlineData("uploads create --bytes abc --filename a.txt --mime-type text/plain --purpose assistants",
        "--bytes must be a whole number of bytes, such as 1048576; got 'abc'.")]
    [InlineData("uploads create --bytes 12 --filename a.txt --mime-type text/plain --purpose assistants --expires-after.seconds soon",
        "--expires-after.seconds must be a whole number of seconds, such as 86400; got 'soon'.")]
    [InlineData("files list --limit many", "--limit must be a whole number, such as 100; got 'many'.")]
    [InlineData("uploads list --max-items 1.5", "--max-items must be a whole number, such as 100; got '1.5'.")]
    [InlineData("files create --file a.bin --purpose batch --expires-after.anchor created_at --expires-after.seconds soon",
        "--expires-after.seconds must be a whole number of seconds, such as 86400; got 'soon'.")]
    [InlineData("upload a.bin --purpose assistants --parallel 0", "--parallel must be a whole number of parts from 1 to 64, such as 4; got '0'.")]
    [InlineData("upload a.bin --purpose assistants --parallel four", "--parallel must be a whole number of parts from 1 to 64, such as 4; got 'four'.")]
    public async Task A_value_that_is_not_a_whole_number_is_explained_in_words(string command, string explained)
    {
        var run = await _tessera.RunAsync(command.Split(' '));

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(explained, run.StandardError);
        Assert.DoesNotContain("System.", run.StandardError);
        Assert.DoesNotContain("expected type", run.StandardError);
    }

    public void Dispose() => _tessera.Dispose();
}
