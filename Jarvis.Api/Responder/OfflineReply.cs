namespace Jarvis.Api.Responder;

/// <summary>The offline responder's answer.</summary>
/// <param name="Text">The reply.</param>
/// <param name="Language"><c>en</c> or <c>fr</c>.</param>
/// <param name="Intent">What was understood: see <see cref="OfflineIntents"/>.</param>
public sealed record OfflineReply(string Text, string Language, string Intent);

/// <summary>The intents the offline responder recognises.</summary>
public static class OfflineIntents
{
    /// <summary>"hello", "bonjour".</summary>
    public const string Greeting = "greeting";

    /// <summary>"what time is it", "quelle heure est-il".</summary>
    public const string Time = "time";

    /// <summary>"what's the date", "quelle est la date".</summary>
    public const string Date = "date";

    /// <summary>"remember that …", "souviens-toi que …".</summary>
    public const string Remember = "remember";

    /// <summary>"what do you know about …", "que sais-tu de …".</summary>
    public const string Recall = "recall";

    /// <summary>"forget …", "oublie …".</summary>
    public const string Forget = "forget";

    /// <summary>Anything else: open-ended chat, which needs an LLM.</summary>
    public const string LlmRequired = "llm_required";
}
