namespace Jarvis.Api.Chat;

/// <summary>What a turn produces as it goes: tokens, then one <see cref="ChatDone"/>.</summary>
public abstract record ChatEvent;

/// <summary>A piece of the reply.</summary>
public sealed record ChatToken(string Text) : ChatEvent;

/// <summary>The end of a turn: the whole reply, usage and timings, and whether memory could be used.</summary>
public sealed record ChatDone(string Reply, string ConversationId, ChatUsage Usage, ChatTimings Timings, string Responder, bool MemoryAvailable) : ChatEvent;

/// <summary>Tokens in and out, when the LLM reports them.</summary>
public sealed record ChatUsage(long? InputTokens, long? OutputTokens);

/// <summary>How long the turn took, and how long until its first token.</summary>
public sealed record ChatTimings(double TotalMs, double? FirstTokenMs);

/// <summary>
/// A user's message in a conversation. With <paramref name="History"/> (an OpenAI client sends the whole conversation)
/// that history is used instead of the stored turns, and nothing is recorded: the client keeps its own.
/// </summary>
public sealed record ChatTurn(string UserId, string ConversationId, string Message, IReadOnlyList<Microsoft.Extensions.AI.ChatMessage>? History = null)
{
    /// <summary>The user of a request that names none.</summary>
    public const string DefaultUser = "default";

    /// <summary>The turn of <paramref name="message"/> as a channel received it: a blank user is <see cref="DefaultUser"/>, a blank conversation a new one, whose id is a time-ordered version 7 UUID so that its turns go to the end of Memory's turn index, not to a random page of it.</summary>
    public static ChatTurn Of(string? userId, string? conversationId, string message) =>
        new(UserOrDefault(userId), string.IsNullOrWhiteSpace(conversationId) ? Guid.CreateVersion7().ToString("N") : conversationId, message);

    /// <summary><paramref name="userId"/>, or <see cref="DefaultUser"/> when it is blank.</summary>
    public static string UserOrDefault(string? userId) => string.IsNullOrWhiteSpace(userId) ? DefaultUser : userId;
}
