using System.ComponentModel.DataAnnotations;

namespace Jarvis.Api.Chat;

/// <summary>Conversation settings (section <c>Jarvis:Chat</c>).</summary>
public sealed class ConversationOptions
{
    /// <summary>The longest message accepted, in characters; longer is a 413.</summary>
    [Range(1, 1_000_000)]
    public int MaxMessageLength { get; set; } = 4096;

    /// <summary>How many of the user's memories are recalled into the prompt.</summary>
    [Range(0, 50)]
    public int RecallLimit { get; set; } = 5;

    /// <summary>The most recent turns read back into the prompt.</summary>
    [Range(0, 500)]
    public int HistoryTurns { get; set; } = 20;

    /// <summary>The prompt's budget for history, in characters (about four per token): older turns are dropped first.</summary>
    [Range(0, 1_000_000)]
    public int HistoryCharacterBudget { get; set; } = 8000;
}
