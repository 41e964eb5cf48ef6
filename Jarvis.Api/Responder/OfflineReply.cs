namespace Jarvis.Api.Responder;

/// <summary>The offline responder's answer.</summary>
/// <param name="Text">The reply.</param>
/// <param name="Language"><c>en</c> or <c>fr</c>.</param>
/// <param name="Intent">What was understood: <see cref="OfflineIntents.Greeting"/>, the name of the skill that answered, or <see cref="OfflineIntents.LlmRequired"/>.</param>
public sealed record OfflineReply(string Text, string Language, string Intent);

/// <summary>The offline responder's own intents; every other answer is a skill's, named after it.</summary>
public static class OfflineIntents
{
    /// <summary>"hello", "bonjour".</summary>
    public const string Greeting = "greeting";

    /// <summary>Anything else: open-ended chat, which needs an LLM.</summary>
    public const string LlmRequired = "llm_required";
}
