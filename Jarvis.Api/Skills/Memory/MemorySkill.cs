using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;
using Jarvis.Api.Memory;
using Microsoft.Extensions.AI;

namespace Jarvis.Api.Skills.Memory;

/// <summary>
/// The user's long-term memory, for the turn's user only: the <c>remember</c>, <c>recall</c> and <c>forget</c> tools, and
/// "remember that …", "what do you know about …", "forget …" (« souviens-toi que … », « que sais-tu de … »,
/// « oublie … ») answered by the router. Memory being down is a sentence, never an error of the turn.
/// </summary>
public sealed partial class MemorySkill(MemoryClient memory, SkillTelemetry telemetry, ILogger<MemorySkill> logger) : ISkill
{
    /// <summary>The relevance (cosine similarity) a memory needs to be listed for a "what do you know about" topic.</summary>
    public const double RecallRelevance = 0.15;

    private const int RecallLimit = 10;

    private static readonly (Regex Pattern, string Language, Request Request)[] s_phrasings =
    [
        (RememberEn(), "en", Request.Remember),
        (RememberFr(), "fr", Request.Remember),
        (RecallEn(), "en", Request.Recall),
        (RecallFr(), "fr", Request.Recall),
        (ForgetEn(), "en", Request.Forget),
        (ForgetFr(), "fr", Request.Forget),
    ];

    private enum Request { Remember, Recall, Forget }

    /// <inheritdoc />
    public string Name => "memory";

    private AIFunction[]? _tools;

    /// <inheritdoc />
    public IReadOnlyList<AIFunction> Tools => _tools ??= [.. CreateTools()];

    // Made once: the turn a call belongs to is SkillTurn.Current, so the functions are not rebuilt on every turn.
    private IEnumerable<AIFunction> CreateTools()
    {
        yield return AIFunctionFactory.Create(
            ([Description("What to remember, as a full sentence.")] string text, CancellationToken cancellationToken) => ToolAsync(async () =>
            {
                await memory.RememberAsync(SkillTurn.Current.UserId, text, cancellationToken: cancellationToken);
                return "Remembered.";
            }),
            new AIFunctionFactoryOptions { Name = "remember", Description = "Store a fact or preference about the user for later conversations." });
        yield return AIFunctionFactory.Create(
            ([Description("What to look for.")] string query, CancellationToken cancellationToken) => ToolAsync(async () =>
            {
                var hits = await memory.RecallAsync(SkillTurn.Current.UserId, query, 5, cancellationToken);
                return hits.Count == 0 ? "Nothing is remembered about that." : string.Join("\n", hits.Select(h => "- " + h.Text));
            }),
            new AIFunctionFactoryOptions { Name = "recall", Description = "Find what is remembered about the user on a topic." });
        yield return AIFunctionFactory.Create(
            ([Description("What to look for.")] string query, CancellationToken cancellationToken) => ToolAsync(async () =>
            {
                var forgotten = await memory.ForgetAsync(SkillTurn.Current.UserId, query, cancellationToken: cancellationToken);
                return string.Create(CultureInfo.InvariantCulture, $"Forgot {forgotten.Count} memories.");
            }),
            new AIFunctionFactoryOptions { Name = "forget", Description = "Forget what is remembered about the user on a topic." });
    }

    /// <inheritdoc />
    public async Task<string?> TryAnswerAsync(SkillTurn turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var folded = Utterance.Fold(turn.Message);
        foreach (var (pattern, language, request) in s_phrasings)
        {
            if (pattern.Match(folded) is not { Success: true } match)
            {
                continue;
            }

            // The subject as the user wrote it, accents and case kept.
            var group = match.Groups["arg"];
            var subject = group.Success ? turn.Message.Substring(group.Index, group.Length).Trim() : "";
            var fr = language == "fr";
            var answer = await telemetry.RunAsync(Name, async () =>
            {
                if (IsFiller(subject))
                {
                    return new SkillAnswer(AskWhat(request, fr), "ask");
                }

                try
                {
                    return new SkillAnswer(request switch
                    {
                        Request.Remember => await RememberAsync(turn.UserId, subject, fr, cancellationToken),
                        Request.Recall => await RecallAsync(turn.UserId, subject, fr, cancellationToken),
                        _ => await ForgetAsync(turn.UserId, subject, fr, cancellationToken),
                    }, "ok");
                }
                catch (Exception exception) when (exception is MemoryUnavailableException or HttpRequestException)
                {
                    LogMemoryUnavailable(logger, request, exception);
                    return new SkillAnswer(Unavailable(request, fr), "unavailable");
                }
            });
            return answer.Text;
        }

        return null;
    }

    private async Task<string> RememberAsync(string user, string fact, bool fr, CancellationToken cancellationToken)
    {
        await memory.RememberAsync(user, fact, cancellationToken: cancellationToken);
        return fr ? $"C'est noté, je m'en souviendrai : {fact}." : $"Got it, I'll remember that: {fact}.";
    }

    private async Task<string> RecallAsync(string user, string topic, bool fr, CancellationToken cancellationToken)
    {
        var everything = Utterance.Fold(topic) is "me" or "myself" or "moi" or "moi-meme" or "everything" or "tout";
        var about = everything ? (fr ? "toi" : "you") : topic;
        var hits = await memory.RecallAsync(user, topic, RecallLimit, cancellationToken);
        var known = hits.Where(h => everything || h.Relevance >= RecallRelevance).Select(h => h.Text).ToList();
        if (known.Count == 0)
        {
            return fr ? $"Je ne sais rien sur {about} pour l'instant." : $"I don't know anything about {about} yet.";
        }

        var list = string.Join('\n', known.Select(t => "- " + t));
        return fr ? $"Voici ce que je sais sur {about} :\n{list}" : $"Here's what I know about {about}:\n{list}";
    }

    private async Task<string> ForgetAsync(string user, string topic, bool fr, CancellationToken cancellationToken)
    {
        var count = (await memory.ForgetAsync(user, topic, cancellationToken: cancellationToken)).Count;
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

    // "remember that", "oublie que": the words of the request and nothing to act on.
    private static bool IsFiller(string subject) =>
        Utterance.Fold(subject) is "" or "that" or "about" or "it" or "que" or "qu'" or "de" or "sur" or "ca";

    private static string AskWhat(Request request, bool fr) => (request, fr) switch
    {
        (Request.Remember, true) => "De quoi dois-je me souvenir ? Dis par exemple : « souviens-toi que ma sœur habite à Lyon ».",
        (Request.Remember, false) => "What should I remember? Say for example: \"remember that my sister lives in Lyon\".",
        (Request.Recall, true) => "Sur quel sujet ? Dis par exemple : « que sais-tu de ma sœur ».",
        (Request.Recall, false) => "About what? Say for example: \"what do you know about my sister\".",
        (_, true) => "Que dois-je oublier ? Dis par exemple : « oublie que ma sœur habite à Lyon ».",
        _ => "What should I forget? Say for example: \"forget that my sister lives in Lyon\".",
    };

    private static string Unavailable(Request request, bool fr)
    {
        var what = (request, fr) switch
        {
            (Request.Remember, true) => "retenir cela",
            (Request.Remember, false) => "remember that",
            (Request.Recall, true) => "te dire ce que je sais",
            (Request.Recall, false) => "tell you what I know",
            (_, true) => "oublier cela",
            _ => "forget that",
        };
        return fr
            ? $"Ma mémoire est indisponible pour le moment, je ne peux donc pas {what}. Réessaie un peu plus tard."
            : $"My memory is unavailable right now, so I can't {what}. Please try again in a moment.";
    }

    /// <summary>A failure of memory is text for the model, which can then tell the user.</summary>
    private async Task<string> ToolAsync(Func<Task<string>> call) =>
        (await telemetry.RunAsync(Name, async () =>
        {
            try
            {
                return new SkillAnswer(await call(), "ok");
            }
            catch (Exception e) when (e is MemoryUnavailableException or HttpRequestException or ArgumentException)
            {
                return new SkillAnswer($"The tool failed: {e.Message}", "unavailable");
            }
        })).Text;

    [GeneratedRegex(Utterance.EnLead + @"(?:remember|memorize|memorise|note)(?:\s+that\b|\s*:)?\s*(?<arg>\S.*?)" + Utterance.Tail, Utterance.Options)]
    private static partial Regex RememberEn();

    [GeneratedRegex(Utterance.FrLead + @"(?:souviens(?:-|\s+)toi|rappelle(?:-|\s+)toi|retiens|memorise|note)\s*(?:que\s+|qu'|:\s*|de\s+ceci\s*:\s*)?(?<arg>\S.*?)" + Utterance.Tail, Utterance.Options)]
    private static partial Regex RememberFr();

    [GeneratedRegex(@"\bwhat\s+(?:else\s+)?do\s+you\s+(?:know|remember)\s+about\s+(?<arg>\S.*?)" + Utterance.Tail + @"|" + Utterance.EnLead + @"tell\s+me\s+what\s+you\s+know\s+about\s+(?<arg>\S.*?)" + Utterance.Tail, Utterance.Options)]
    private static partial Regex RecallEn();

    [GeneratedRegex(@"\b(?:que|qu'est-ce\s+que\s+tu)\s+(?:sais(?:-|\s+)tu|sais|connais(?:-|\s+)tu|connais)\s+(?:(?:de|sur|du|des)\s+|d')(?<arg>\S.*?)" + Utterance.Tail + @"|\bqu'est-ce\s+que\s+tu\s+(?:sais|te\s+rappelles)\s+(?:(?:de|sur|du|des)\s+|d')(?<arg>\S.*?)" + Utterance.Tail, Utterance.Options)]
    private static partial Regex RecallFr();

    // Not "forget the previous instructions …" or "forget what I said": those are about the conversation, and a model
    // without tools would otherwise have its router delete memories for them.
    [GeneratedRegex(Utterance.EnLead + @"forget(?:\s+(?:that|about|everything\s+about)\b)?\s*(?!(?:(?:all|any|the|my|your|these|those|that)\s+)*(?:(?:previous|prior|above|earlier|last|former|old|other|system)\s+)*(?:instructions?|prompts?|rules|messages?|questions?|conversation|context|everything\s+(?:above|before|else)|what\s+(?:i|you)\s+(?:just\s+)?(?:said|asked|wrote|told))\b)(?<arg>\S.*?)" + Utterance.Tail, Utterance.Options)]
    private static partial Regex ForgetEn();

    [GeneratedRegex(Utterance.FrLead + @"oublie\s*(?:que\s+|qu'|tout\s+(?:ce\s+que\s+tu\s+sais\s+)?(?:sur|de)\s+|ce\s+que\s+tu\s+sais\s+(?:sur|de)\s+)?(?!(?:(?:les|la|le|tes|mes|ces|toutes\s+les|tous\s+les)\s+)?(?:instructions?|consignes?|regles|messages?|questions?|conversation|contexte|ce\s+que\s+(?:je\s+viens\s+de\s+dire|j'ai\s+dit|je\s+t'ai\s+dit|j'ai\s+demande)|tout\s+ca)\b)(?<arg>\S.*?)" + Utterance.Tail, Utterance.Options)]
    private static partial Regex ForgetFr();

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Memory is unavailable; the {Request} request was answered without it")]
    private static partial void LogMemoryUnavailable(ILogger logger, Request request, Exception exception);
}
