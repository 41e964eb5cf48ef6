using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Jarvis.Hosting.Dashboard.Pages;

/// <summary>The dashboard's HTML pages and their scripts and stylesheet.</summary>
internal static class DashboardPagesEndpoints
{
    public static IEndpointRouteBuilder MapDashboardPages(this IEndpointRouteBuilder app)
    {
        foreach (var page in DashboardPage.All)
        {
            app.MapGet(page.Route, (DashboardAssets assets) => TypedResults.Content(assets.Page(page), "text/html; charset=utf-8"))
                .ExcludeFromDescription();
        }

        // The console's address before it had a resource picker.
        app.MapGet("/resources/{name}/logs", (string name) => TypedResults.Redirect($"/consolelogs?resource={Uri.EscapeDataString(name)}"));
        app.MapGet("/assets/{file}", GetAsset);
        return app;
    }

    private static Results<FileContentHttpResult, NotFound> GetAsset(string file, DashboardAssets assets) =>
        assets.TryGetFile(file, out var content, out var contentType)
            ? TypedResults.File(content, contentType)
            : TypedResults.NotFound();
}
