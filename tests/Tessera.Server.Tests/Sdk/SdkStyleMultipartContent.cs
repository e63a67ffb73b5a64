using System.ClientModel;
using System.Net.Http.Headers;

namespace Tessera.Server.Tests.Sdk;

/// <summary>
/// A <c>multipart/form-data</c> body for the SDK's protocol methods (<c>AddUploadPart</c> takes a
/// <see cref="BinaryContent"/> and its Content-Type), made the way openai-dotnet makes its own: a
/// <see cref="MultipartFormDataContent"/> with a 70-character boundary drawn from an alphabet that includes
/// <c>=</c>, which .NET always sends quoted (<c>boundary="..."</c>).
/// </summary>
public sealed class SdkStyleMultipartContent : BinaryContent
{
    private const string BoundaryAlphabet = "0123456789=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

    private readonly MultipartFormDataContent _form = new(NewBoundary());

    /// <summary>The Content-Type header to send with this body, boundary included.</summary>
    public string ContentType => _form.Headers.ContentType!.ToString();

    /// <summary>Adds a binary field, as the SDK's tests do: <c>Add(bytes, "data", "data", "application/octet-stream")</c>.</summary>
    public void AddFile(byte[] bytes, string name, string fileName, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        _form.Add(content, name, fileName);
    }

    public override bool TryComputeLength(out long length)
    {
        length = _form.Headers.ContentLength ?? 0;
        return _form.Headers.ContentLength is not null;
    }

    public override void WriteTo(Stream stream, CancellationToken cancellationToken = default) =>
        _form.CopyTo(stream, null, cancellationToken);

    public override async Task WriteToAsync(Stream stream, CancellationToken cancellationToken = default) =>
        await _form.CopyToAsync(stream, cancellationToken);

    public override void Dispose() => _form.Dispose();

    private static string NewBoundary() =>
        string.Create(70, 0, (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = BoundaryAlphabet[Random.Shared.Next(BoundaryAlphabet.Length)];
            }
        });
}
