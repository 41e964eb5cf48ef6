using System.Text.Json.Nodes;

namespace Jarvis.Tests.Infrastructure.Ollama;

/// <summary>A tool call the fake's model makes when the request offers tools.</summary>
public sealed record FakeToolCall(string Name, JsonObject Arguments);

/// <summary>What the fake's model answers on <c>POST /api/chat</c>: tokens, or tool calls when the request offers tools, or an error.</summary>
public sealed record FakeChatReply
{
    /// <summary>The streamed tokens; concatenated when not streaming.</summary>
    public IReadOnlyList<string> Tokens { get; init; } = ["The", " sky", " is", " blue", "."];

    /// <summary>Tool calls made instead of text when the request has <c>tools</c>.</summary>
    public IReadOnlyList<FakeToolCall> ToolCalls { get; init; } = [];

    /// <summary>A failure: mid-stream (after <see cref="TokensBeforeError"/> tokens) when streaming, else a 500.</summary>
    public string? Error { get; init; }

    /// <summary>How many tokens are streamed before <see cref="Error"/>.</summary>
    public int TokensBeforeError { get; init; }

    /// <summary><c>prompt_eval_count</c>; null leaves it out, as on a prompt cache hit.</summary>
    public int? PromptEvalCount { get; init; } = 26;

    /// <summary><c>eval_count</c>.</summary>
    public int EvalCount { get; init; } = 5;

    /// <summary><c>done_reason</c>.</summary>
    public string DoneReason { get; init; } = "stop";

    /// <summary>A pause before the first line, to measure the time to first token.</summary>
    public TimeSpan DelayBeforeFirstToken { get; init; }

    /// <summary>A pause before each later token: a slow model (a CPU-bound one writes a few tokens a second).</summary>
    public TimeSpan DelayBetweenTokens { get; init; }

    /// <summary>With <see cref="Error"/> set: the connection is reset after <see cref="TokensBeforeError"/> tokens instead of the error line, as when Ollama dies mid-answer.</summary>
    public bool ResetConnection { get; init; }

    /// <summary>When set, the first line waits for this task: a test holds a reply in flight as long as it needs.</summary>
    public Task? HoldFirstTokenUntil { get; init; }
}
