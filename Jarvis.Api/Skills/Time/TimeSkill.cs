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

    private AIFunction[]? _tools;

    /// <inheritdoc />
    public IReadOnlyList<AIFunction> Tools => _tools ??= [.. CreateTools()];

    // Made once: the turn a call belongs to is SkillTurn.Current, so the functions are not rebuilt on every turn.
    private IEnumerable<AIFunction> CreateTools()
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
        // Whole phrasings only: "what is the time complexity of …" is not a question for the clock.
        var folded = Utterance.TrimSymbols(Utterance.Fold(turn.Message));
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

    [GeneratedRegex(Utterance.EnLead + @"(?:what(?:'s|\s+is)?\s+the\s+(?:current\s+)?time(?:\s+(?:now|right\s+now))?|what\s+time\s+is\s+it(?:\s+(?:now|right\s+now))?|(?:can\s+you\s+)?(?:tell\s+me|do\s+you\s+know)\s+(?:what\s+)?the\s+time(?:\s+is)?|(?:the\s+)?current\s+time)" + Utterance.Tail, Utterance.Options)]
    private static partial Regex TimeEn();

    [GeneratedRegex(Utterance.FrLead + @"(?:quelle\s+heure(?:\s+(?:est(?:-|\s+)il|il\s+est))?(?:\s+maintenant)?|il\s+est\s+quelle\s+heure(?:\s+maintenant)?|l'heure\s+(?:qu'il\s+est|actuelle)|(?:donne|dis)(?:-|\s+)moi\s+l'heure|(?:tu\s+as|as(?:-|\s+)tu)\s+l'heure)" + Utterance.Tail, Utterance.Options)]
    private static partial Regex TimeFr();

    [GeneratedRegex(Utterance.EnLead + @"(?:what(?:'s|\s+is)\s+(?:the\s+date|today'?s\s+date|the\s+day|today)(?:\s+today)?|what\s+(?:day|date)\s+is\s+(?:it|today)(?:\s+today)?|today'?s\s+date|(?:the\s+)?current\s+date)" + Utterance.Tail, Utterance.Options)]
    private static partial Regex DateEn();

    [GeneratedRegex(Utterance.FrLead + @"(?:quelle\s+(?:est\s+la\s+)?date(?:\s+(?:aujourd'hui|d'aujourd'hui|du\s+jour))?|on\s+est\s+(?:quel\s+jour|le\s+combien)(?:\s+aujourd'hui)?|quel\s+jour\s+(?:sommes-nous|sommes\s+nous|on\s+est|est-on|est-ce|nous\s+sommes|est-il|sommes)(?:\s+aujourd'hui)?|(?:la\s+)?date\s+(?:d'aujourd'hui|du\s+jour))" + Utterance.Tail, Utterance.Options)]
    private static partial Regex DateFr();

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Unknown time zone {TimeZone} in Jarvis:TimeZone; using UTC")]
    private static partial void LogUnknownTimeZone(ILogger logger, string timeZone, Exception exception);
}
