using System.Text.RegularExpressions;
using Jarvis.Api.Skills;

namespace Jarvis.Api.Responder;

/// <summary>
/// The deterministic responder used when no LLM is configured. It greets, in English and French (case- and
/// accent-insensitively), asks every skill's router (memory, time, weather, home, hangman …) for what they recognise,
/// and for anything else says that open-ended chat needs an LLM and how to configure one.
/// </summary>
public sealed partial class OfflineResponder(IEnumerable<ISkill> skills)
{
    private readonly ISkill[] _skills = [.. skills ?? throw new ArgumentNullException(nameof(skills))];

    /// <summary>Answers <paramref name="message"/> from <paramref name="userId"/> without an LLM.</summary>
    public Task<OfflineReply> RespondAsync(string userId, string message, CancellationToken cancellationToken = default) =>
        RespondAsync(userId, conversationId: null, message, cancellationToken);

    /// <summary>Answers <paramref name="message"/> from <paramref name="userId"/> in <paramref name="conversationId"/> without an LLM.</summary>
    public async Task<OfflineReply> RespondAsync(string userId, string? conversationId, string message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentNullException.ThrowIfNull(message);

        var turn = SkillTurn.Of(userId, message, conversationId);
        var folded = Utterance.Fold(turn.Message);
        if (GreetingEn().IsMatch(folded) || GreetingFr().IsMatch(folded))
        {
            var fr = GreetingFr().IsMatch(folded);
            return new OfflineReply(fr ? "Bonjour ! Je suis Jarvis. Que puis-je faire pour toi ?" : "Hello! I'm Jarvis. How can I help you?", fr ? "fr" : "en", OfflineIntents.Greeting);
        }

        if (await _skills.AnswerAsync(turn, cancellationToken).ConfigureAwait(false) is var (skill, answer))
        {
            return new OfflineReply(answer, turn.Language, skill.Name);
        }

        return new OfflineReply(LlmRequired(turn.Language), turn.Language, OfflineIntents.LlmRequired);
    }

    private static string LlmRequired(string language) => language == "fr"
        ? "Sans modèle de langage, je sais répondre aux salutations, à l'heure et à la date, aux demandes de mémoire "
          + "(« souviens-toi que … », « que sais-tu de … », « oublie … »), à la météo (« quel temps fait-il à Paris »), à la "
          + "maison (« allume la lumière de la cuisine ») et jouer au pendu. La conversation libre nécessite un LLM : définis "
          + "ConnectionStrings__ollama=Endpoint=http://localhost:11434;Model=llama3.2:1b (avec Ollama lancé et le modèle "
          + "téléchargé par « ollama pull llama3.2:1b »), ou lance l'AppHost avec Docker ou Podman, qui démarre Ollama pour toi."
        : "Without a language model I can handle greetings, the time and the date, memory requests "
          + "(\"remember that …\", \"what do you know about …\", \"forget …\"), the weather (\"what's the weather in Paris\"), "
          + "the home (\"turn on the kitchen light\") and hangman. Open-ended chat needs an LLM: set "
          + "ConnectionStrings__ollama=Endpoint=http://localhost:11434;Model=llama3.2:1b (with Ollama running and the model "
          + "pulled with \"ollama pull llama3.2:1b\"), or run the AppHost with Docker or Podman, which starts Ollama for you.";

    [GeneratedRegex(Utterance.EnLead + @"(?:greetings|hello|hi|hey|good\s+(?:morning|afternoon|evening))(?:\s+(?:there|jarvis|everyone))?" + Utterance.Tail, Utterance.Options)]
    private static partial Regex GreetingEn();

    [GeneratedRegex(Utterance.FrLead + @"(?:bonjour|salut|bonsoir|coucou|bien\s+le\s+bonjour)(?:\s+(?:a\s+toi|jarvis|tout\s+le\s+monde))?" + Utterance.Tail, Utterance.Options)]
    private static partial Regex GreetingFr();
}
