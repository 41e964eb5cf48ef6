using Microsoft.Extensions.AI;

namespace Jarvis.Api.Skills;

/// <summary>
/// A skill: tools the LLM may call during a turn, and the offline router's answer for the utterances it recognises.
/// Registered with one call (<c>builder.AddWeatherSkill()</c>); the chat service and the offline responder see every
/// registered skill.
/// </summary>
public interface ISkill
{
    /// <summary>The skill's name, as in <c>skill {name}</c> spans and the <c>skill</c> tag of its metrics.</summary>
    string Name { get; }

    /// <summary>
    /// The skill's tools, made once. What the server knows of a call's turn (the user, the language) comes from
    /// <see cref="SkillTurn.Current"/>, never from the model.
    /// </summary>
    IReadOnlyList<AIFunction> Tools { get; }

    /// <summary>The answer when <paramref name="turn"/>'s message is one this skill understands without an LLM, else null.</summary>
    Task<string?> TryAnswerAsync(SkillTurn turn, CancellationToken cancellationToken);
}

/// <summary>What a skill knows of the turn it serves.</summary>
/// <param name="UserId">Who asks.</param>
/// <param name="Message">What they said, as they said it.</param>
/// <param name="Language"><c>en</c> or <c>fr</c>: the language to answer in.</param>
/// <param name="ConversationId">The conversation, when the turn belongs to one.</param>
public sealed record SkillTurn(string UserId, string Message, string Language, string? ConversationId = null)
{
    /// <summary>The key of the turn in the <see cref="ChatOptions.AdditionalProperties"/> of the turn's LLM request.</summary>
    public const string OptionsKey = "jarvis.skill_turn";

    /// <summary>
    /// The turn whose tool call is running: the one the chat service put in the request's options, which function
    /// invocation hands to the tool (<see cref="FunctionInvokingChatClient.CurrentContext"/>). Functions made once for
    /// every turn, rather than per turn, keep the Api's memory flat: a new set each turn grew the runtime's caches of
    /// them (bench/reliability.sh).
    /// </summary>
    /// <exception cref="InvalidOperationException">Called outside a tool call of a chat turn.</exception>
    public static SkillTurn Current =>
        FunctionInvokingChatClient.CurrentContext?.Options?.AdditionalProperties?.TryGetValue(OptionsKey, out var value) == true && value is SkillTurn turn
            ? turn
            : throw new InvalidOperationException("A skill's tool runs only within a chat turn, whose options carry the turn.");

    /// <summary>The turn of <paramref name="message"/>, in the language it is written in.</summary>
    public static SkillTurn Of(string userId, string message, string? conversationId = null)
    {
        var text = Utterance.Collapse(message);
        return new SkillTurn(userId, text, Utterance.DetectLanguage(Utterance.Fold(text)), conversationId);
    }
}

/// <summary>The offline router over every registered skill.</summary>
public static class SkillRouter
{
    /// <summary>The first skill that recognises <paramref name="turn"/>'s message, with its answer; null when none does.</summary>
    public static async Task<(ISkill Skill, string Answer)?> AnswerAsync(this IEnumerable<ISkill> skills, SkillTurn turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(skills);
        foreach (var skill in skills)
        {
            if (await skill.TryAnswerAsync(turn, cancellationToken).ConfigureAwait(false) is { } answer)
            {
                return (skill, answer);
            }
        }

        return null;
    }
}
