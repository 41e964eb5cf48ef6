using System.ComponentModel;
using Jarvis.Hosting.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Jarvis.Hosting.Dashboard.Apis;

/// <summary>The resources: snapshots, console output, secret reveal and start/stop/restart.</summary>
internal static class ResourcesApi
{
    /// <summary>The most console lines one answer carries; the console page asks again for the rest.</summary>
    public const int MaxLogLines = 1000;

    public static RouteGroupBuilder MapResourcesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/resources").WithTags("Resources");
        api.MapGet("/", GetResources).WithName("GetResources").WithSummary("Every resource's snapshot (ETag: the notifications' version).");
        api.MapGet("/{name}", GetResource).WithName("GetResource").WithSummary("One resource's snapshot.");
        api.MapGet("/{name}/logs", GetLogs).WithName("GetConsoleLogs").WithSummary("Console lines after a sequence number, oldest first.");
        api.MapPost("/{name}/environment/{variable}/reveal", RevealEnvironmentVariable).WithName("RevealEnvironmentVariable").WithSummary("An environment variable's value, secrets unmasked.");
        api.MapPost("/{name}/commands/{command}", ExecuteCommandAsync).WithName("ExecuteResourceCommand").WithSummary("resource-start, resource-stop or resource-restart.");
        return api;
    }

    public static Results<Ok<IReadOnlyList<ResourceSnapshot>>, StatusCodeHttpResult> GetResources(HttpContext context, ResourceNotificationService notifications)
    {
        // The version is read before the snapshots, so a change in between shows up as a newer version next time.
        var version = notifications.Version;
        return Versioning.IsUnchanged(context, version)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(notifications.GetSnapshots());
    }

    public static Results<Ok<ResourceSnapshot>, StatusCodeHttpResult, ProblemHttpResult> GetResource(string name, HttpContext context, ResourceNotificationService notifications)
    {
        var version = notifications.Version;
        if (notifications.GetSnapshot(name) is not { } snapshot)
        {
            return NoSuchResource(name);
        }

        return Versioning.IsUnchanged(context, version) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(snapshot);
    }

    public static Results<Ok<IEnumerable<LogLine>>, ProblemHttpResult> GetLogs(
        string name,
        [Description("Only lines with a greater sequence number.")] long? after,
        [Description("At most this many lines, the newest of them (at most 1000).")] int? limit,
        ResourceNotificationService notifications,
        ResourceLoggerService logs)
    {
        if (notifications.GetSnapshot(name) is null)
        {
            return NoSuchResource(name);
        }

        var lines = logs.GetLines(name).Where(line => line.Sequence > (after ?? 0)).ToList();
        var count = Math.Clamp(limit ?? MaxLogLines, 1, MaxLogLines);
        return TypedResults.Ok(lines.Skip(Math.Max(0, lines.Count - count)));
    }

    public static Results<Ok<RevealedValue>, ProblemHttpResult> RevealEnvironmentVariable(string name, string variable, Orchestrator orchestrator) =>
        orchestrator.GetEnvironmentValue(name, variable) is { } value
            ? TypedResults.Ok(new RevealedValue(variable, value))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"'{name}' has no environment variable '{variable}' in its current run.");

    public static async Task<Results<Ok<ExecuteCommandResult>, ProblemHttpResult>> ExecuteCommandAsync(string name, string command, ResourceCommandService commands, CancellationToken cancellationToken)
    {
        var result = await commands.ExecuteCommandAsync(name, command, cancellationToken);
        return result.Success ? TypedResults.Ok(result) : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, detail: result.ErrorMessage);
    }

    private static ProblemHttpResult NoSuchResource(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No resource named '{name}'.");
}

/// <summary>An environment variable's value, answered only to an explicit reveal.</summary>
internal sealed record RevealedValue(string Name, string Value);
