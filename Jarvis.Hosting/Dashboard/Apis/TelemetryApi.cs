using System.ComponentModel;
using Jarvis.Hosting.Dashboard.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Jarvis.Hosting.Dashboard.Apis;

/// <summary>
/// The telemetry the services exported (structured logs, traces, metrics, GenAI calls) as the pages show it: bounded
/// pages of rows, each answer tagged with the repository's version so an unchanged one is a 304.
/// </summary>
internal static class TelemetryApi
{
    private const int MaxRows = 1000;

    public static RouteGroupBuilder MapTelemetryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/telemetry").WithTags("Telemetry");
        api.MapGet("/resources", GetResources).WithName("GetTelemetryResources").WithSummary("The resources (service names) that sent telemetry.");
        api.MapGet("/logs", GetLogs).WithName("GetStructuredLogs").WithSummary("Structured log records, newest first.");
        api.MapGet("/traces", GetTraces).WithName("GetTraces").WithSummary("Trace summaries, newest first.");
        api.MapGet("/traces/{traceId}", GetTrace).WithName("GetTrace").WithSummary("One trace with its spans in waterfall order.");
        api.MapGet("/instruments", GetInstruments).WithName("GetInstruments").WithSummary("The metric instruments of a resource.");
        api.MapGet("/instruments/{resource}/{meter}/{name}", GetInstrument).WithName("GetInstrument").WithSummary("An instrument's series over a time window.");
        api.MapGet("/genai", GetGenAiCalls).WithName("GetGenAiCalls").WithSummary("LLM calls (gen_ai spans), newest first.");
        return api;
    }

    public static Results<Ok<IReadOnlyList<string>>, StatusCodeHttpResult> GetResources(HttpContext context, TelemetryRepository telemetry) =>
        Versioned(context, telemetry, () => telemetry.GetResources());

    public static Results<Ok<IReadOnlyList<LogEntry>>, StatusCodeHttpResult> GetLogs(
        HttpContext context,
        TelemetryRepository telemetry,
        [Description("Only this resource's records.")] string? resource,
        [Description("Only records at this level or above: Trace, Debug, Information, Warning, Error, Critical.")] string? level,
        [Description("Only records whose message or an attribute contains this text.")] string? text,
        [Description("Only records of this trace.")] string? traceId,
        [Description("At most this many records (200 unless given, at most 1000).")] int? limit) =>
        Versioned(context, telemetry, () => telemetry.GetLogs(new LogQuery(Blank(resource), Blank(level), Blank(text), Blank(traceId), Rows(limit, 200))));

    public static Results<Ok<IReadOnlyList<TraceSummary>>, StatusCodeHttpResult> GetTraces(
        HttpContext context,
        TelemetryRepository telemetry,
        [Description("Only traces that touch this resource.")] string? resource,
        [Description("Only traces with a span whose name contains this text.")] string? text,
        [Description("Only traces with a failed span.")] bool? errorsOnly,
        [Description("At most this many traces (100 unless given, at most 1000).")] int? limit) =>
        Versioned(context, telemetry, () => telemetry.GetTraces(new TraceQuery(Blank(resource), Blank(text), errorsOnly ?? false, Rows(limit, 100))));

    public static Results<Ok<TraceDetail>, StatusCodeHttpResult, ProblemHttpResult> GetTrace(string traceId, HttpContext context, TelemetryRepository telemetry)
    {
        var version = telemetry.Version;
        if (telemetry.GetTrace(traceId) is not { } trace)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No trace '{traceId}' is kept (yet).");
        }

        return Versioning.IsUnchanged(context, version) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(trace);
    }

    public static Results<Ok<IReadOnlyList<InstrumentSummary>>, StatusCodeHttpResult> GetInstruments(HttpContext context, TelemetryRepository telemetry, string? resource) =>
        Versioned(context, telemetry, () => telemetry.GetInstruments(Blank(resource)));

    public static Results<Ok<InstrumentDetail>, StatusCodeHttpResult, ProblemHttpResult> GetInstrument(
        string resource,
        string meter,
        string name,
        HttpContext context,
        TelemetryRepository telemetry,
        [Description("The last this many minutes (5 unless given).")] int? minutes)
    {
        var version = telemetry.Version;
        var window = TimeSpan.FromMinutes(Math.Clamp(minutes ?? 5, 1, 24 * 60));
        if (telemetry.GetInstrument(resource, meter, name, dimensions: null, window) is not { } instrument)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"'{resource}' has sent no instrument '{name}' of meter '{meter}'.");
        }

        return Versioning.IsUnchanged(context, version) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(instrument);
    }

    public static Results<Ok<IReadOnlyList<GenAiCall>>, StatusCodeHttpResult> GetGenAiCalls(HttpContext context, TelemetryRepository telemetry, int? limit) =>
        Versioned(context, telemetry, () => telemetry.GetGenAiCalls(Rows(limit, 200)));

    // The version is read before the query, so telemetry that lands in between shows up as a newer version next time.
    private static Results<Ok<T>, StatusCodeHttpResult> Versioned<T>(HttpContext context, TelemetryRepository telemetry, Func<T> query) =>
        Versioning.IsUnchanged(context, telemetry.Version) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(query());

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static int Rows(int? limit, int fallback) => Math.Clamp(limit ?? fallback, 1, MaxRows);
}
