using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Jarvis.Api.Skills.Time;

/// <summary>
/// The date and time in <c>Jarvis:TimeZone</c> (an IANA id, default UTC): the <c>time</c> tool, and "what time is it",
/// "what's the date", "quelle heure est-il", "on est quel jour" answered by the router.
/// </summary>
public sealed partial class TimeSkill : ISkill
{
    /// <summary>The configuration key of the IANA time zone used for the time and the date (default UTC).</summary>
    public const string TimeZoneKey = "Jarvis:TimeZone";

    private static readonly string[] s_frenchDays = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"];
    private static readonly string[] s_frenchMonths =
        ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

    private readonly TimeProvider _timeProvider;
    private readonly SkillTelemetry _telemetry;

    /// <summary>Creates the skill; an unknown <c>Jarvis:TimeZone</c> is logged and UTC is used.</summary>
    public TimeSkill(TimeProvider timeProvider, IConfiguration configuration, ILogger<TimeSkill> logger, SkillTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(telemetry);
        _timeProvider = timeProvider;
        _telemetry = telemetry;
        TimeZone = ResolveTimeZone(configuration[TimeZoneKey], logger);
    }

    /// <summary>The time zone of the time and the date.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <inheritdoc />
    public string Name => "time";

    /// <inheritdoc />
    public IEnumerable<AIFunction> Tools(SkillTurn turn)
    {
        yield return AIFunctionFactory.Create(
            async () => (await _telemetry.RunAsync(Name, () => Task.FromResult(new SkillAnswer(
                Now().ToString("dddd d MMMM yyyy, HH:mm (zzz)", CultureInfo.InvariantCulture), "ok")))).Text,
            new AIFunctionFactoryOptions { Name = "time", Description = "The current date and time." });
    }

    /// <inheritdoc />
    public async Task<string?> TryAnswerAsync(SkillTurn turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var folded = Utterance.Fold(turn.Message);
        var (language, date) = TimeEn().IsMatch(folded) ? ("en", false)
            : TimeFr().IsMatch(folded) ? ("fr", false)
            : DateEn().IsMatch(folded) ? ("en", true)
            : DateFr().IsMatch(folded) ? ("fr", true)
            : (null, false);
        if (language is null)
        {
            return null;
        }

        var answer = await _telemetry.RunAsync(Name, () => Task.FromResult(new SkillAnswer(date ? Date(language) : Time(language), "ok")));
        return answer.Text;
    }

    private string Time(string language)
    {
        var now = Now();
        var zone = TimeZone == TimeZoneInfo.Utc ? "UTC" : TimeZone.Id;
        return language == "fr"
            ? $"Il est {now.ToString("H' h 'mm", CultureInfo.InvariantCulture)} ({zone})."
            : $"It's {now.ToString("h:mm tt", CultureInfo.InvariantCulture)} ({zone}).";
    }

    private string Date(string language)
    {
        var now = Now();
        if (language == "fr")
        {
            var day = now.Day == 1 ? "1er" : now.Day.ToString(CultureInfo.InvariantCulture);
            return string.Create(
                CultureInfo.InvariantCulture,
                $"Nous sommes le {s_frenchDays[(int)now.DayOfWeek]} {day} {s_frenchMonths[now.Month - 1]} {now.Year}.");
        }

        return $"Today is {now.ToString("dddd, MMMM d, yyyy", CultureInfo.InvariantCulture)}.";
    }

    private DateTimeOffset Now() => TimeZoneInfo.ConvertTime(_timeProvider.GetUtcNow(), TimeZone);

    private static TimeZoneInfo ResolveTimeZone(string? id, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
        }
        catch (Exception exception) when (exception is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            LogUnknownTimeZone(logger, id, exception);
            return TimeZoneInfo.Utc;
        }
    }

    [GeneratedRegex(@"\bwhat(?:'s|\s+is)?\s+the\s+time\b|\bwhat\s+time\s+is\s+it\b|\b(?:tell\s+me|do\s+you\s+know)\s+the\s+time\b|\bcurrent\s+time\b", Utterance.Options)]
    private static partial Regex TimeEn();

    [GeneratedRegex(@"\bquelle\s+heure\b|\bl'heure\s+(?:qu'il\s+est|actuelle)\b|\bdonne(?:-|\s+)moi\s+l'heure\b", Utterance.Options)]
    private static partial Regex TimeFr();

    [GeneratedRegex(@"\bwhat(?:'s|\s+is)\s+(?:the\s+date|today'?s\s+date|the\s+day|today)\b|\bwhat\s+(?:day|date)\s+is\s+(?:it|today)\b|\btoday'?s\s+date\b|\bcurrent\s+date\b", Utterance.Options)]
    private static partial Regex DateEn();

    [GeneratedRegex(@"\bquelle\s+(?:est\s+la\s+)?date\b|\bon\s+est\s+(?:quel|le\s+combien)\b|\bquel\s+jour\s+(?:sommes-nous|sommes\s+nous|on\s+est|est-on|est-ce|nous\s+sommes|est-il|sommes)\b|\bla\s+date\s+(?:d'aujourd'hui|du\s+jour)\b", Utterance.Options)]
    private static partial Regex DateFr();

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Unknown time zone {TimeZone} in Jarvis:TimeZone; using UTC")]
    private static partial void LogUnknownTimeZone(ILogger logger, string timeZone, Exception exception);
}
