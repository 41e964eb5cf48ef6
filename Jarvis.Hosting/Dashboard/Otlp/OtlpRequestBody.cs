using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Hosting.Dashboard.Otlp;

/// <summary>Reads an OTLP request body, gunzipped when <c>Content-Encoding: gzip</c>, never more than a cap.</summary>
internal static class OtlpRequestBody
{
    /// <summary>The body, or null when it (or what it inflates to) is over the cap.</summary>
    /// <exception cref="InvalidDataException">The gzip stream is corrupt.</exception>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        var raw = await ReadBoundedAsync(request.Body, maxBytes, cancellationToken);
        if (raw is null || !IsGzip(request))
        {
            return raw;
        }

        // The inflated size is capped too: a small gzip body can expand enormously.
        await using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
        return await ReadBoundedAsync(gzip, maxBytes, cancellationToken);
    }

    /// <summary>True for an encoding this receiver cannot read (anything but identity and gzip).</summary>
    public static bool HasUnsupportedEncoding(HttpRequest request) =>
        request.Headers.ContentEncoding.ToString() is { Length: > 0 } encoding && !IsGzip(request) && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase);

    private static bool IsGzip(HttpRequest request) =>
        request.Headers.ContentEncoding.ToString().Equals("gzip", StringComparison.OrdinalIgnoreCase);

    private static async Task<byte[]?> ReadBoundedAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
