using System.Diagnostics.Metrics;
using System.Text.Json.Serialization;

namespace Jarvis.Api.Web;

/// <summary>A batch of what the page saw: uncaught errors and timings.</summary>
public sealed record ClientEventBatch(IReadOnlyList<ClientEvent>? Events);

/// <summary>One thing the page saw.</summary>
/// <param name="Kind"><c>error</c> or <c>timing</c>.</param>
/// <param name="Name">The error's name, or the timing's (<c>load</c>, <c>first_token</c>).</param>
/// <param name="Message">The error's message.</param>
/// <param name="Stack">The error's stack.</param>
/// <param name="Url">The page or script where it happened.</param>
/// <param name="ValueMs">The timing, in milliseconds.</param>
/// <param name="RequestId">The request id of the reply it is about, when there is one.</param>
public sealed record ClientEvent(
    string? Kind, string? Name, string? Message, string? Stack, string? Url,
    [property: JsonPropertyName("valueMs")] double? ValueMs, string? RequestId);

/// <summary>
/// Records the page's events as log records (with the page's request ids) and as <c>client_errors_total</c> and
/// <c>client_timing_seconds{name}</c> on meter <c>Jarvis.Api.Web</c>, so the dashboard shows the browser's side too.
/// </summary>
public sealed partial class ClientEventRecorder
{
    /// <summary>The most events in one post.</summary>
    public const int MaxEvents = 20;

    /// <summary>The largest post, in bytes.</summary>
    public const int MaxBytes = 16 * 1024;

    // The timings the histogram knows; any other name is counted as "other", so a page cannot add series at will.
    private static readonly string[] s_timings = ["load", "first_token"];

    private readonly Counter<long> _errors;
    private readonly Histogram<double> _timings;
    private readonly ILogger<ClientEventRecorder> _logger;

    /// <summary>Creates the instruments.</summary>
    public ClientEventRecorder(IMeterFactory meterFactory, ILogger<ClientEventRecorder> logger)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create("Jarvis.Api.Web");
        _errors = meter.CreateCounter<long>("client_errors_total", "{error}", "Uncaught errors reported by the web page.");
        _timings = meter.CreateHistogram<double>("client_timing_seconds", "s", "Timings reported by the web page: load, first_token.");
        _logger = logger;
    }

    /// <summary>Why <paramref name="batch"/> is refused, by field; empty when it is fine.</summary>
    public static Dictionary<string, string[]> Validate(ClientEventBatch? batch)
    {
        var errors = new Dictionary<string, string[]>();
        if (batch?.Events is not { Count: > 0 } events)
        {
            errors["events"] = ["must hold at least one event."];
            return errors;
        }

        if (events.Count > MaxEvents)
        {
            errors["events"] = [$"must hold at most {MaxEvents} events."];
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is not { } e)
            {
                errors[$"events[{i}]"] = ["must be an event object."];
                continue;
            }

            if (e.Kind is not ("error" or "timing"))
            {
                errors[$"events[{i}].kind"] = ["must be \"error\" or \"timing\"."];
            }

            if (string.IsNullOrWhiteSpace(e.Name) || e.Name.Length > 100)
            {
                errors[$"events[{i}].name"] = ["must be 1 to 100 characters."];
            }

            if (e.Kind == "timing" && e.ValueMs is not (>= 0 and <= 3_600_000))
            {
                errors[$"events[{i}].valueMs"] = ["must be from 0 to 3600000 for a timing."];
            }
        }

        return errors;
    }

    /// <summary>Records a valid batch.</summary>
    public void Record(ClientEventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var e in batch.Events!)
        {
            var requestId = Cut(e.RequestId, 100);
            if (e.Kind == "error")
            {
                _errors.Add(1);
                LogClientError(_logger, Cut(e.Name, 100), Cut(e.Message, 1000), Cut(e.Url, 500), requestId, Cut(e.Stack, 4000));
            }
            else
            {
                var name = s_timings.Contains(e.Name) ? e.Name! : "other";
                _timings.Record(e.ValueMs!.Value / 1000, new KeyValuePair<string, object?>("name", name));
                LogClientTiming(_logger, name, e.ValueMs.Value, requestId);
            }
        }
    }

    private static string Cut(string? text, int max) => text is null ? "" : text.Length <= max ? text : text[..max] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "client error {ErrorName}: {ErrorMessage} at {PageUrl} (reply request id {ClientRequestId}) {Stack}")]
    private static partial void LogClientError(ILogger logger, string errorName, string errorMessage, string pageUrl, string clientRequestId, string stack);

    [LoggerMessage(Level = LogLevel.Information, Message = "client timing {TimingName} {ValueMs} ms (reply request id {ClientRequestId})")]
    private static partial void LogClientTiming(ILogger logger, string timingName, double valueMs, string clientRequestId);
}
