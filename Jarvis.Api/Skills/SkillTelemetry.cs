using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Jarvis.Api.Skills;

/// <summary>
/// Every skill call's telemetry: a <c>skill {name}</c> span (source <c>Jarvis.Api.Skills</c>),
/// <c>skill_invocations_total{skill,outcome}</c>, <c>skill_duration_seconds{skill}</c> and one log record, which carries
/// the request id like every record of the request.
/// </summary>
public sealed partial class SkillTelemetry
{
    /// <summary>The activity source of the skill spans.</summary>
    public static readonly ActivitySource Source = new("Jarvis.Api.Skills");

    private readonly Counter<long> _invocations;
    private readonly Histogram<double> _duration;
    private readonly ILogger<SkillTelemetry> _logger;

    /// <summary>Creates the instruments on meter <c>Jarvis.Api</c>.</summary>
    public SkillTelemetry(IMeterFactory meterFactory, ILogger<SkillTelemetry> logger)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create("Jarvis.Api");
        _invocations = meter.CreateCounter<long>("skill_invocations_total", "{invocation}", "Skill calls by skill and outcome.");
        _duration = meter.CreateHistogram<double>("skill_duration_seconds", "s", "Time of a skill call.");
        _logger = logger;
    }

    /// <summary>Runs one call of <paramref name="skill"/> and records it; a thrown exception is outcome <c>error</c>.</summary>
    public async Task<SkillAnswer> RunAsync(string skill, Func<Task<SkillAnswer>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        using var activity = Source.StartActivity($"skill {skill}");
        activity?.SetTag("skill", skill);
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var answer = await call();
            outcome = answer.Outcome;
            return answer;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            activity?.SetTag("outcome", outcome);
            if (outcome == "error")
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            _invocations.Add(1, new("skill", skill), new("outcome", outcome));
            _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("skill", skill));
            var milliseconds = Math.Round(elapsed.TotalMilliseconds, 1);
            LogCalled(_logger, skill, outcome, milliseconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "skill {Skill} {Outcome} in {DurationMs} ms")]
    private static partial void LogCalled(ILogger logger, string skill, string outcome, double durationMs);
}

/// <summary>A skill's answer: the sentence for the user, and how the call went (<c>ok</c>, <c>not_found</c>, <c>unavailable</c>, …).</summary>
public sealed record SkillAnswer(string Text, string Outcome);
