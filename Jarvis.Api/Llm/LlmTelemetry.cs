using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Jarvis.Api.Llm;

/// <summary>
/// The LLM's instruments on meter <c>Jarvis.Api</c> (GenAI semantic conventions plus Jarvis' own histograms) and the
/// activity source of its spans. One instance per meter factory; register it as a singleton.
/// </summary>
public sealed class LlmTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "Jarvis.Api";

    /// <summary>The source of the <c>chat {model}</c> spans.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>Creates the instruments on <paramref name="meterFactory"/>'s <c>Jarvis.Api</c> meter.</summary>
    public LlmTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        TokenUsage = meter.CreateHistogram<long>(
            "gen_ai.client.token.usage",
            unit: "{token}",
            description: "Number of input and output tokens used, by gen_ai.token.type.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576] });
        OperationDuration = meter.CreateHistogram<double>(
            "gen_ai.client.operation.duration",
            unit: "s",
            description: "Duration of GenAI operations, failures included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });
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

    /// <summary><c>gen_ai.client.token.usage</c> ({token}), with <c>gen_ai.token.type</c> <c>input</c> or <c>output</c>.</summary>
    public Histogram<long> TokenUsage { get; }

    /// <summary><c>gen_ai.client.operation.duration</c> (s), with <c>error.type</c> on failures.</summary>
    public Histogram<double> OperationDuration { get; }

    /// <summary><c>llm_generate_seconds</c> (s): successful generations.</summary>
    public Histogram<double> GenerateDuration { get; }

    /// <summary><c>llm_time_to_first_token_seconds</c> (s): streamed generations that produced a token.</summary>
    public Histogram<double> TimeToFirstToken { get; }
}
