using Microsoft.AspNetCore.Http;

namespace Jarvis.Hosting.Dashboard.Apis;

/// <summary>
/// The version of what an answer shows, as its ETag: the pages poll every second with <c>If-None-Match</c> and a
/// <c>304</c> tells them nothing changed, so they neither download nor redraw anything.
/// </summary>
internal static class Versioning
{
    /// <summary>Sets the ETag; true when the caller already has this version.</summary>
    public static bool IsUnchanged(HttpContext context, long version)
    {
        var etag = $"\"{version}\"";
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = "no-cache";
        return context.Request.Headers.IfNoneMatch == etag;
    }
}
