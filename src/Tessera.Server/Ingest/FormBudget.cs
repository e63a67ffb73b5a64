using System.Buffers;
using Tessera.Domain;

namespace Tessera.Server.Ingest;

/// <summary>
/// The one running bound on everything a multipart form holds outside its file field (<see cref="TesseraLimits.MaxFormFieldsBytes"/>):
/// the fields the endpoint defines, the fields it does not (read past, never kept), and every section's boundary and
/// headers. Whatever a form's shape, the server reads at most this much of it beside the file before it refuses.
/// </summary>
internal sealed class FormBudget(int maxBytes)
{
    private const int SkipBufferBytes = 16 * 1024;

    private long _spent;

    /// <summary>Counts <paramref name="bytes"/> more; the 400 that names the limit once the form has passed it.</summary>
    public void Charge(long bytes)
    {
        _spent += bytes;
        if (_spent > maxBytes)
        {
            throw ApiErrors.FormFieldsTooLarge(maxBytes);
        }
    }

    /// <summary>Reads a field's body to its end and keeps none of it, charging every byte.</summary>
    public async Task SkipAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(SkipBufferBytes);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                Charge(read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
