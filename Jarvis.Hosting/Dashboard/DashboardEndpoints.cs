using Jarvis.Hosting.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Jarvis.Hosting.Dashboard;

/// <summary>The dashboard's pages and the JSON API they poll.</summary>
internal static class DashboardEndpoints
{
    public static void MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Content(DashboardPages.Resources, "text/html; charset=utf-8"));
        app.MapGet("/resources/{name}/logs", (string name) => Results.Content(DashboardPages.ConsoleLogs(name), "text/html; charset=utf-8"));

        var api = app.MapGroup("/api/resources");
        api.MapGet("/", (ResourceNotificationService notifications) => Results.Ok(notifications.GetSnapshots()));
        api.MapGet("/{name}/logs", (string name, long? after, ResourceNotificationService notifications, ResourceLoggerService logs) =>
            notifications.GetSnapshot(name) is null
                ? Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No resource named '{name}'.")
                : Results.Ok(logs.GetLines(name).Where(line => line.Sequence > (after ?? 0))));
        api.MapPost("/{name}/commands/{command}", async (string name, string command, ResourceCommandService commands, CancellationToken cancellationToken) =>
        {
            var result = await commands.ExecuteCommandAsync(name, command, cancellationToken);
            return result.Success ? Results.Ok(result) : Results.Problem(statusCode: StatusCodes.Status409Conflict, detail: result.ErrorMessage);
        });
    }
}
