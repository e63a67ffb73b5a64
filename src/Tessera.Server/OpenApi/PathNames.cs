using System.Text;

namespace Tessera.Server.OpenApi;

/// <summary>OpenAI writes path parameters in snake_case (<c>{upload_id}</c>); the routes name them as C# does (<c>{uploadId}</c>).</summary>
internal static class PathNames
{
    public static string SnakeCase(string name)
    {
        var snake = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c))
            {
                snake.Append('_').Append(char.ToLowerInvariant(c));
            }
            else
            {
                snake.Append(c);
            }
        }

        return snake.ToString();
    }

    /// <summary><c>/uploads/{uploadId}/parts</c> becomes <c>/uploads/{upload_id}/parts</c>.</summary>
    public static string SnakeCasePath(string path) =>
        string.Join('/', path.Split('/').Select(segment =>
            segment.StartsWith('{') && segment.EndsWith('}') ? "{" + SnakeCase(segment[1..^1]) + "}" : segment));
}
