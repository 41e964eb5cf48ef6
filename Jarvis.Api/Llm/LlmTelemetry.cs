using System.Diagnostics.Metrics;

namespace Jarvis.Api.Llm;

/// <summary>
/// Jarvis' own LLM histograms on meter <c>Jarvis.Api</c>. The GenAI semantic-convention spans and metrics
/// (<c>gen_ai.client.operation.duration</c>, <c>gen_ai.client.token.usage</c>) come from Microsoft.Extensions.AI's
/// <c>UseOpenTelemetry()</c> under <see cref="SourceName"/>. Register it as a singleton.
/// </summary>
public sealed class LlmTelemetry
{
    /// <summary>The activity source and meter of the chat pipeline's GenAI telemetry (matched by ServiceDefaults' <c>Jarvis.*</c>).</summary>
    public const string SourceName = "Jarvis.Api.Llm";

    /// <summary>Creates the instruments on <paramref name="meterFactory"/>'s <c>Jarvis.Api</c> meter.</summary>
    public LlmTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create("Jarvis.Api");
        GenerateDuration = meter.CreateHistogram<double>(
            "llm_generate_seconds",
            unit: "s",
            description: "Time of a successful LLM generation, from the request to the last token.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] });
        TimeToFirstToken = meter.CreateHistogram<double>(
            "llm_time_to_first_token_seconds",
            unit: "s",
            description: "Time from a streamed LLM request to its first token.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    /// <summary><c>llm_generate_seconds</c> (s): successful generations, one per request to the model.</summary>
    public Histogram<double> GenerateDuration { get; }

    /// <summary><c>llm_time_to_first_token_seconds</c> (s): streamed generations that produced a token.</summary>
    public Histogram<double> TimeToFirstToken { get; }
}
