using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Jarvis.Api.Memory;
using Jarvis.Api.Skills;

namespace Jarvis.Api.Responder;

/// <summary>
/// The deterministic responder used when no LLM is configured. It understands, in English and French (case- and
/// accent-insensitively), greetings, the time and the date, and memory requests ("remember that …", "what do you know
/// about …", "forget …"); for anything else it says that open-ended chat needs an LLM and how to configure one. It never
/// throws because memory is down: memory requests then answer that memory is unavailable right now.
/// </summary>
public sealed partial class OfflineResponder
{
    /// <summary>The configuration key of the IANA time zone used for the time and the date (default UTC).</summary>
    public const string TimeZoneKey = "Jarvis:TimeZone";

    /// <summary>The relevance (cosine similarity) a memory needs to be listed for a "what do you know about" topic.</summary>
    public const double RecallRelevance = 0.15;

    private const int RecallLimit = 10;

    // Matched against the folded text (lower case, no accents, straight apostrophes, single spaces). Each intent may
    // start with "jarvis," and a "please"; the captured "arg" is mapped back to the user's original text.
    private const string EnLead = @"^(?:(?:hey\s+|ok\s+)?jarvis[\s,:]+)?(?:please[\s,]+)?";
    private const string FrLead = @"^(?:(?:dis\s+|ok\s+)?jarvis[\s,:]+)?(?:s'il\s+te\s+plait[\s,]+)?";
    private const string Tail = @"[\s.!?]*$";
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    private static readonly Intent[] s_intents =
    [
        // Memory first: "remember that it's time to go" is a memory, not the time.
        new(OfflineIntents.Remember, "en", RememberEn()),
        new(OfflineIntents.Remember, "fr", RememberFr()),
        new(OfflineIntents.Recall, "en", RecallEn()),
        new(OfflineIntents.Recall, "fr", RecallFr()),
        new(OfflineIntents.Forget, "en", ForgetEn()),
        new(OfflineIntents.Forget, "fr", ForgetFr()),
        new(OfflineIntents.Time, "en", TimeEn()),
        new(OfflineIntents.Time, "fr", TimeFr()),
        new(OfflineIntents.Date, "en", DateEn()),
        new(OfflineIntents.Date, "fr", DateFr()),
        new(OfflineIntents.Greeting, "en", GreetingEn()),
        new(OfflineIntents.Greeting, "fr", GreetingFr()),
    ];

    private static readonly string[] s_frenchDays = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"];
    private static readonly string[] s_frenchMonths =
        ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

    private readonly MemoryClient _memory;
    private readonly ISkill[] _skills;
    private readonly TimeProvider _timeProvider;
    private readonly TimeZoneInfo _timeZone;
    private readonly ILogger<OfflineResponder> _logger;

    /// <summary>
    /// Creates the responder; the time zone comes from <c>Jarvis:TimeZone</c> (an IANA id, default UTC). The
    /// <paramref name="skills"/> answer what they recognise that the responder's own intents do not.
    /// </summary>
    public OfflineResponder(MemoryClient memory, TimeProvider timeProvider, IConfiguration configuration, ILogger<OfflineResponder> logger, IEnumerable<ISkill>? skills = null)
    {
        _skills = [.. skills ?? []];
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(logger);
        _memory = memory;
        _timeProvider = timeProvider;
        _logger = logger;
        _timeZone = ResolveTimeZone(configuration[TimeZoneKey], logger);
    }

    /// <summary>The time zone used for the time and the date.</summary>
    public TimeZoneInfo TimeZone => _timeZone;

    /// <summary>Answers <paramref name="message"/> from <paramref name="userId"/> without an LLM.</summary>
    public Task<OfflineReply> RespondAsync(string userId, string message, CancellationToken cancellationToken = default) =>
        RespondAsync(userId, conversationId: null, message, cancellationToken);

    /// <summary>Answers <paramref name="message"/> from <paramref name="userId"/> in <paramref name="conversationId"/> without an LLM.</summary>
    public async Task<OfflineReply> RespondAsync(string userId, string? conversationId, string message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentNullException.ThrowIfNull(message);

        var original = Collapse(message.Normalize(NormalizationForm.FormC));
        var folded = Fold(original);
        foreach (var intent in s_intents)
        {
            var match = intent.Pattern.Match(folded);
            if (!match.Success)
            {
                continue;
            }

            var arg = match.Groups["arg"] is { Success: true } group ? original.Substring(group.Index, group.Length).Trim() : "";
            if (intent.Name is OfflineIntents.Remember or OfflineIntents.Recall or OfflineIntents.Forget && IsFiller(arg))
            {
                return new OfflineReply(AskWhat(intent.Name, intent.Language), intent.Language, intent.Name);
            }

            var text = intent.Name switch
            {
                OfflineIntents.Greeting => Greeting(intent.Language),
                OfflineIntents.Time => Time(intent.Language),
                OfflineIntents.Date => Date(intent.Language),
                OfflineIntents.Remember => await RememberAsync(userId, arg, intent.Language, cancellationToken).ConfigureAwait(false),
                OfflineIntents.Recall => await RecallAsync(userId, arg, intent.Language, cancellationToken).ConfigureAwait(false),
                OfflineIntents.Forget => await ForgetAsync(userId, arg, intent.Language, cancellationToken).ConfigureAwait(false),
                _ => throw new InvalidOperationException($"Unhandled intent '{intent.Name}'."),
            };
            return new OfflineReply(text, intent.Language, intent.Name);
        }

        var language = DetectLanguage(folded);
        var turn = new SkillTurn(userId, original, language, conversationId);
        if (await _skills.AnswerAsync(turn, cancellationToken).ConfigureAwait(false) is var (skill, answer))
        {
            return new OfflineReply(answer, language, skill.Name);
        }

        return new OfflineReply(LlmRequired(language), language, OfflineIntents.LlmRequired);
    }

    private static string Greeting(string language) => language == "fr"
        ? "Bonjour ! Je suis Jarvis. Que puis-je faire pour toi ?"
        : "Hello! I'm Jarvis. How can I help you?";

    private string Time(string language)
    {
        var now = Now();
        return language == "fr"
            ? $"Il est {now.ToString("H' h 'mm", CultureInfo.InvariantCulture)} ({ZoneName()})."
            : $"It's {now.ToString("h:mm tt", CultureInfo.InvariantCulture)} ({ZoneName()}).";
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

    private async Task<string> RememberAsync(string userId, string fact, string language, CancellationToken cancellationToken)
    {
        var fr = language == "fr";
        try
        {
            await _memory.RememberAsync(userId, fact, cancellationToken: cancellationToken).ConfigureAwait(false);
            return fr ? $"C'est noté, je m'en souviendrai : {fact}." : $"Got it, I'll remember that: {fact}.";
        }
        catch (Exception exception) when (exception is MemoryUnavailableException or HttpRequestException)
        {
            LogMemoryUnavailable(_logger, OfflineIntents.Remember, exception);
            return MemoryUnavailable(fr, fr ? "retenir cela" : "remember that");
        }
    }

    private async Task<string> RecallAsync(string userId, string topic, string language, CancellationToken cancellationToken)
    {
        var fr = language == "fr";
        var everything = IsSelf(topic);
        var about = everything ? (fr ? "toi" : "you") : topic;
        try
        {
            var hits = await _memory.RecallAsync(userId, topic, RecallLimit, cancellationToken).ConfigureAwait(false);
            var known = hits.Where(h => everything || h.Relevance >= RecallRelevance).Select(h => h.Text).ToList();
            if (known.Count == 0)
            {
                return fr ? $"Je ne sais rien sur {about} pour l'instant." : $"I don't know anything about {about} yet.";
            }

            var list = string.Join('\n', known.Select(t => "- " + t));
            return fr ? $"Voici ce que je sais sur {about} :\n{list}" : $"Here's what I know about {about}:\n{list}";
        }
        catch (Exception exception) when (exception is MemoryUnavailableException or HttpRequestException)
        {
            LogMemoryUnavailable(_logger, OfflineIntents.Recall, exception);
            return MemoryUnavailable(fr, fr ? "te dire ce que je sais" : "tell you what I know");
        }
    }

    private async Task<string> ForgetAsync(string userId, string topic, string language, CancellationToken cancellationToken)
    {
        var fr = language == "fr";
        try
        {
            var forgotten = await _memory.ForgetAsync(userId, topic, cancellationToken: cancellationToken).ConfigureAwait(false);
            var count = forgotten.Count;
            return (fr, count) switch
            {
                (true, 0) => $"Je n'avais rien à oublier sur {topic}.",
                (true, 1) => $"C'est fait : j'ai oublié 1 souvenir sur {topic}.",
                (true, _) => string.Create(CultureInfo.InvariantCulture, $"C'est fait : j'ai oublié {count} souvenirs sur {topic}."),
                (false, 0) => $"I had nothing to forget about {topic}.",
                (false, 1) => $"Done: I forgot 1 memory about {topic}.",
                (false, _) => string.Create(CultureInfo.InvariantCulture, $"Done: I forgot {count} memories about {topic}."),
            };
        }
        catch (Exception exception) when (exception is MemoryUnavailableException or HttpRequestException)
        {
            LogMemoryUnavailable(_logger, OfflineIntents.Forget, exception);
            return MemoryUnavailable(fr, fr ? "oublier cela" : "forget that");
        }
    }

    // "remember that", "oublie que": the words of the request and nothing to act on.
    private static bool IsFiller(string arg) => Fold(arg) is "" or "that" or "about" or "it" or "que" or "qu'" or "de" or "sur" or "ca";

    private static string AskWhat(string intent, string language) => (intent, language) switch
    {
        (OfflineIntents.Remember, "fr") => "De quoi dois-je me souvenir ? Dis par exemple : « souviens-toi que ma sœur habite à Lyon ».",
        (OfflineIntents.Remember, _) => "What should I remember? Say for example: \"remember that my sister lives in Lyon\".",
        (OfflineIntents.Recall, "fr") => "Sur quel sujet ? Dis par exemple : « que sais-tu de ma sœur ».",
        (OfflineIntents.Recall, _) => "About what? Say for example: \"what do you know about my sister\".",
        (_, "fr") => "Que dois-je oublier ? Dis par exemple : « oublie que ma sœur habite à Lyon ».",
        _ => "What should I forget? Say for example: \"forget that my sister lives in Lyon\".",
    };

    private static string MemoryUnavailable(bool fr, string what) => fr
        ? $"Ma mémoire est indisponible pour le moment, je ne peux donc pas {what}. Réessaie un peu plus tard."
        : $"My memory is unavailable right now, so I can't {what}. Please try again in a moment.";

    private static string LlmRequired(string language) => language == "fr"
        ? "Sans modèle de langage, je ne sais répondre qu'aux salutations, à l'heure et à la date, et aux demandes de mémoire "
          + "(« souviens-toi que … », « que sais-tu de … », « oublie … »). La conversation libre nécessite un LLM : définis "
          + "ConnectionStrings__ollama=Endpoint=http://localhost:11434;Model=llama3.2:1b (avec Ollama lancé et le modèle "
          + "téléchargé par « ollama pull llama3.2:1b »), ou lance l'AppHost avec Docker ou Podman, qui démarre Ollama pour toi."
        : "Without a language model I can only handle greetings, the time and the date, and memory requests "
          + "(\"remember that …\", \"what do you know about …\", \"forget …\"). Open-ended chat needs an LLM: set "
          + "ConnectionStrings__ollama=Endpoint=http://localhost:11434;Model=llama3.2:1b (with Ollama running and the model "
          + "pulled with \"ollama pull llama3.2:1b\"), or run the AppHost with Docker or Podman, which starts Ollama for you.";

    private DateTimeOffset Now() => TimeZoneInfo.ConvertTime(_timeProvider.GetUtcNow(), _timeZone);

    private string ZoneName() => _timeZone == TimeZoneInfo.Utc ? "UTC" : _timeZone.Id;

    private static bool IsSelf(string topic) => Fold(topic) is "me" or "myself" or "moi" or "moi-meme" or "everything" or "tout";

    /// <summary><c>fr</c> when <paramref name="folded"/> (see <see cref="Fold"/>) has more French words than English ones, else <c>en</c>.</summary>
    internal static string DetectLanguage(string folded)
    {
        var french = 0;
        var english = 0;
        foreach (Match word in WordPattern().Matches(folded))
        {
            if (FrenchWord().IsMatch(word.Value))
            {
                french++;
            }
            else if (EnglishWord().IsMatch(word.Value))
            {
                english++;
            }
        }

        return french > english ? "fr" : "en";
    }

    /// <summary>The IANA time zone <paramref name="id"/>, or UTC (logged) when it is unset or unknown.</summary>
    internal static TimeZoneInfo ResolveTimeZone(string? id, ILogger logger)
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

    // Whitespace collapsed to single spaces, trimmed.
    internal static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    // Lower case, accents removed, typographic apostrophes and dashes made plain, one char for one char, so that a match's
    // index and length in the folded text are also those of the original text.
    internal static string Fold(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            span[i] = c switch
            {
                '\u2019' or '\u2018' or '\u02BC' or '`' => '\'',
                '\u2010' or '\u2011' or '\u2013' => '-',
                '\u00A0' or '\u202F' => ' ',
                _ when c < 128 => char.ToLowerInvariant(c),
                _ => char.ToLowerInvariant(StripAccent(c)),
            };
        }
    });

    private static char StripAccent(char c)
    {
        var decomposed = c.ToString().Normalize(NormalizationForm.FormD);
        return decomposed.Length > 0 && decomposed.Skip(1).All(d => CharUnicodeInfo.GetUnicodeCategory(d) == UnicodeCategory.NonSpacingMark)
            ? decomposed[0]
            : c;
    }

    [GeneratedRegex(EnLead + @"(?:greetings|hello|hi|hey|good\s+(?:morning|afternoon|evening))(?:\s+(?:there|jarvis|everyone))?" + Tail, Options)]
    private static partial Regex GreetingEn();

    [GeneratedRegex(FrLead + @"(?:bonjour|salut|bonsoir|coucou|bien\s+le\s+bonjour)(?:\s+(?:a\s+toi|jarvis|tout\s+le\s+monde))?" + Tail, Options)]
    private static partial Regex GreetingFr();

    [GeneratedRegex(@"\bwhat(?:'s|\s+is)?\s+the\s+time\b|\bwhat\s+time\s+is\s+it\b|\b(?:tell\s+me|do\s+you\s+know)\s+the\s+time\b|\bcurrent\s+time\b", Options)]
    private static partial Regex TimeEn();

    [GeneratedRegex(@"\bquelle\s+heure\b|\bl'heure\s+(?:qu'il\s+est|actuelle)\b|\bdonne(?:-|\s+)moi\s+l'heure\b", Options)]
    private static partial Regex TimeFr();

    [GeneratedRegex(@"\bwhat(?:'s|\s+is)\s+(?:the\s+date|today'?s\s+date|the\s+day|today)\b|\bwhat\s+(?:day|date)\s+is\s+(?:it|today)\b|\btoday'?s\s+date\b|\bcurrent\s+date\b", Options)]
    private static partial Regex DateEn();

    [GeneratedRegex(@"\bquelle\s+(?:est\s+la\s+)?date\b|\bon\s+est\s+(?:quel|le\s+combien)\b|\bquel\s+jour\s+(?:sommes-nous|sommes\s+nous|on\s+est|est-on|est-ce|nous\s+sommes|est-il|sommes)\b|\bla\s+date\s+(?:d'aujourd'hui|du\s+jour)\b", Options)]
    private static partial Regex DateFr();

    [GeneratedRegex(EnLead + @"(?:remember|memorize|memorise|note)(?:\s+that\b|\s*:)?\s*(?<arg>\S.*?)" + Tail, Options)]
    private static partial Regex RememberEn();

    [GeneratedRegex(FrLead + @"(?:souviens(?:-|\s+)toi|rappelle(?:-|\s+)toi|retiens|memorise|note)\s*(?:que\s+|qu'|:\s*|de\s+ceci\s*:\s*)?(?<arg>\S.*?)" + Tail, Options)]
    private static partial Regex RememberFr();

    [GeneratedRegex(@"\bwhat\s+(?:else\s+)?do\s+you\s+(?:know|remember)\s+about\s+(?<arg>\S.*?)" + Tail + @"|" + EnLead + @"tell\s+me\s+what\s+you\s+know\s+about\s+(?<arg>\S.*?)" + Tail, Options)]
    private static partial Regex RecallEn();

    [GeneratedRegex(@"\b(?:que|qu'est-ce\s+que\s+tu)\s+(?:sais(?:-|\s+)tu|sais|connais(?:-|\s+)tu|connais)\s+(?:(?:de|sur|du|des)\s+|d')(?<arg>\S.*?)" + Tail + @"|\bqu'est-ce\s+que\s+tu\s+(?:sais|te\s+rappelles)\s+(?:(?:de|sur|du|des)\s+|d')(?<arg>\S.*?)" + Tail, Options)]
    private static partial Regex RecallFr();

    [GeneratedRegex(EnLead + @"forget(?:\s+(?:that|about|everything\s+about)\b)?\s*(?<arg>\S.*?)" + Tail, Options)]
    private static partial Regex ForgetEn();

    [GeneratedRegex(FrLead + @"oublie\s*(?:que\s+|qu'|tout\s+(?:ce\s+que\s+tu\s+sais\s+)?(?:sur|de)\s+|ce\s+que\s+tu\s+sais\s+(?:sur|de)\s+)?(?<arg>\S.*?)" + Tail, Options)]
    private static partial Regex ForgetFr();

    [GeneratedRegex(@"[\p{L}']+", Options)]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"^(?:je|j'|tu|il|elle|nous|vous|ils|elles|est|c'est|suis|es|sont|le|la|les|l'|un|une|des|du|de|d'|et|ou|mais|que|qu'|qui|quoi|pourquoi|comment|quand|ou|avec|pour|dans|sur|pas|ne|n'|moi|toi|mon|ma|mes|ton|ta|tes|ca|cela|merci|oui|non|bonjour|salut|peux|veux|fais|faire|raconte|explique|parle|aujourd'hui|tres|bien|au|aux|ce|cette|ces|quel|quelle|quels|quelles)$", Options)]
    private static partial Regex FrenchWord();

    [GeneratedRegex(@"^(?:i|i'm|you|he|she|we|they|is|are|am|was|the|a|an|and|or|but|that|this|who|what|why|how|when|where|with|for|in|on|not|don't|me|my|your|it|it's|thanks|yes|no|hello|can|could|would|will|do|does|tell|explain|write|about|of|to|please|today|very|good)$", Options)]
    private static partial Regex EnglishWord();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Memory is unavailable; the {Intent} request was answered without it")]
    private static partial void LogMemoryUnavailable(ILogger logger, string intent, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Unknown time zone {TimeZone} in Jarvis:TimeZone; using UTC")]
    private static partial void LogUnknownTimeZone(ILogger logger, string timeZone, Exception exception);

    private sealed record Intent(string Name, string Language, Regex Pattern);
}
