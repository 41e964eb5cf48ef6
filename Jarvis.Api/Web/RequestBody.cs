namespace Jarvis.Api.Web;

/// <summary>Reading a request body without holding more of it than a limit allows.</summary>
internal static class RequestBody
{
    /// <summary>The body, or its first <paramref name="max"/> + 1 bytes: longer than <paramref name="max"/> means over the limit.</summary>
    public static async Task<byte[]> ReadAtMostAsync(HttpRequest request, int max, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while (body.Length <= max && (read = await request.Body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, max + 1 - body.Length)), cancellationToken)) > 0)
        {
            body.Write(buffer, 0, read);
        }

        return body.ToArray();
    }
}
