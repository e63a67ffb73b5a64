using Microsoft.AspNetCore.Http.Features;
using Tessera.Domain;

namespace Tessera.Server.Http;

/// <summary>Raises Kestrel's request body limit, only on the routes that take large bodies (parts and files).</summary>
internal static class BodyLimits
{
    /// <summary>
    /// Room for a form's boundaries, headers and small fields around its one large field: their bound
    /// (<see cref="TesseraLimits.MaxFormFieldsBytes"/>, which the form's reader counts and refuses past with its own
    /// message), and a margin for what that count leaves out (a preamble, the closing boundary, spaces in headers).
    /// </summary>
    public const long FormOverheadBytes = TesseraLimits.MaxFormFieldsBytes + 64 * 1024;

    /// <summary>
    /// Lets the request's body reach <paramref name="largestFieldBytes"/> plus the form's overhead, and then
    /// <paramref name="drainBytes"/> more: the form's reader refuses a body past the first bound itself, with a message
    /// that names the limit, and the rest is drained (<see cref="RefusedBodyDrain"/>) so the answer reaches the client.
    /// Past both, Kestrel refuses it.
    /// </summary>
    public static void Allow(HttpContext http, long largestFieldBytes, long drainBytes)
    {
        var feature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            var accepted = largestFieldBytes + FormOverheadBytes;
            feature.MaxRequestBodySize = drainBytes > long.MaxValue - accepted ? null : accepted + drainBytes;
        }
    }
}
