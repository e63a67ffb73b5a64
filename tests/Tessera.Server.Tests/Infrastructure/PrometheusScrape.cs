using System.Globalization;
using System.Net;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>One scrape of <c>/metrics</c> in the Prometheus text format, read the way a query would read it.</summary>
public sealed class PrometheusScrape(string text)
{
    public string Text { get; } = text;

    public static async Task<PrometheusScrape> TakeAsync(HttpClient client, Uri metrics)
    {
        using var response = await client.GetAsync(metrics, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"The scrape answered {(int)response.StatusCode}: {text}");
        return new PrometheusScrape(text);
    }

    /// <summary>The sum of the series named <paramref name="name"/> that carry every label given (0 when there are none).</summary>
    public double Value(string name, params (string Label, string Value)[] labels)
    {
        var sum = 0.0;
        foreach (var line in Text.Split('\n'))
        {
            if (line.StartsWith('#') || !(line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal)))
            {
                continue;
            }

            var end = line.LastIndexOf('}');
            var series = end < 0 ? "" : line[..(end + 1)];
            if (labels.All(label => series.Contains($"{label.Label}=\"{label.Value}\"", StringComparison.Ordinal)))
            {
                var value = line[(end < 0 ? name.Length : end + 1)..].Trim().Split(' ')[0];
                sum += double.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }
}
