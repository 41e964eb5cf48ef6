namespace Jarvis.Memory.Conversations;

/// <summary>One turn of a conversation: who spoke (<c>user</c>, <c>assistant</c>, <c>system</c>) and what was said.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="UserId">The owner of the conversation.</param>
/// <param name="Sequence">The turn's position in the conversation, from 1.</param>
/// <param name="Role">Who spoke.</param>
/// <param name="Text">What was said.</param>
/// <param name="CreatedAt">When the turn was recorded.</param>
public sealed record ConversationTurn(string ConversationId, string UserId, long Sequence, string Role, string Text, DateTimeOffset CreatedAt);

/// <summary>A conversation as a list shows it.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="Title">Its first user message (empty when it has none).</param>
/// <param name="UpdatedAt">When its last turn was recorded.</param>
/// <param name="Turns">How many turns it has.</param>
public sealed record ConversationSummary(string ConversationId, string Title, DateTimeOffset UpdatedAt, long Turns);
