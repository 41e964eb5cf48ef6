using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Jarvis.Api.Llm;
using Jarvis.Api.Memory;
using Jarvis.Api.Quotas;
using Jarvis.Api.Responder;
using Jarvis.Api.Skills;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.Chat;

/// <summary>
/// One conversation turn: recall the user's relevant memories, read back recent turns within a budget, ask the LLM (or,
/// with none configured, the offline responder), stream the answer, count its tokens, record the turn. Memory being down
/// never fails a turn: the reply says so. A user past their daily token quota gets a <see cref="QuotaExceededException"/>
/// before anything is streamed.
/// </summary>
public sealed partial class ChatService(
    MemoryClient memory,
    ConversationRecorder recorder,
    MemoryAvailability memoryAvailability,
    TokenQuota quota,
    OfflineResponder offline,
    IEnumerable<ISkill> skills,
    IOptions<ConversationOptions> options,
    ILogger<ChatService> logger,
    IChatClient? llm = null)
{
    /// <summary>The sentence added to a reply when memory could not be used.</summary>
    public const string MemoryUnavailableNote = "(My memory is unavailable right now, so I could not use or keep what you told me before.)";

    private volatile bool _toolsUnsupported;

    /// <summary>True when an LLM is configured; false when the offline responder answers.</summary>
    public bool HasLlm => llm is not null;

    /// <summary>Runs a turn, yielding tokens as they come and a final <see cref="ChatDone"/>.</summary>
    public async IAsyncEnumerable<ChatEvent> RunAsync(ChatTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var started = Stopwatch.GetTimestamp();
        double? firstToken = null;
        var reply = new StringBuilder();
        var memoryAvailable = true;
        ChatUsage usage = new(null, null);
        string responder;

        if (llm is null)
        {
            responder = "offline";
            var answer = await offline.RespondAsync(turn.UserId, turn.ConversationId, turn.Message, cancellationToken);
            firstToken = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            reply.Append(answer.Text);
            yield return new ChatToken(answer.Text);
        }
        else
        {
            responder = "llm";
            await quota.EnsureAvailableAsync(turn.UserId, cancellationToken);
            var (messages, recalled) = await PromptAsync(turn, cancellationToken);
            memoryAvailable = recalled;
            // Function invocation (in the chat pipeline) runs the tools the model calls and asks it again with their results.
            var skillTurn = SkillTurn.Of(turn.UserId, turn.Message, turn.ConversationId);
            var chatOptions = new ChatOptions
            {
                Tools = _toolsUnsupported ? null : [.. skills.SelectMany(s => s.Tools)],
                AdditionalProperties = new() { [SkillTurn.OptionsKey] = skillTurn },
            };

            // A model that cannot call tools still gets the skills' answers for what their router recognises.
            var routed = _toolsUnsupported ? await RouteAsync(skillTurn, cancellationToken) : null;
            var updates = (routed is null ? llm.GetStreamingResponseAsync(messages, chatOptions, cancellationToken) : Routed(routed)).GetAsyncEnumerator(cancellationToken);
            // Whether the model began answering, and finished.
            var (began, answered) = (false, false);
            try
            {
                bool more;
                try
                {
                    more = await updates.MoveNextAsync();
                }
                catch (OllamaChatException e) when (e.Kind == OllamaChatErrorKind.ToolsNotSupported && chatOptions.Tools is not null)
                {
                    // A model without tool support refuses the request: this turn and the next go on without tools.
                    _toolsUnsupported = true;
                    LogToolsUnsupported(logger, e.Model);
                    await updates.DisposeAsync();
                    chatOptions.Tools = null;
                    routed = await RouteAsync(skillTurn, cancellationToken);
                    updates = (routed is null ? llm.GetStreamingResponseAsync(messages, chatOptions, cancellationToken) : Routed(routed)).GetAsyncEnumerator(cancellationToken);
                    more = await updates.MoveNextAsync();
                }

                while (more)
                {
                    began = true;
                    var update = updates.Current;
                    if (update.Text is { Length: > 0 } text)
                    {
                        firstToken ??= Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        reply.Append(text);
                        yield return new ChatToken(text);
                    }

                    foreach (var usageContent in update.Contents.OfType<UsageContent>())
                    {
                        usage = new ChatUsage(
                            (usage.InputTokens ?? 0) + usageContent.Details.InputTokenCount,
                            (usage.OutputTokens ?? 0) + usageContent.Details.OutputTokenCount);
                    }

                    more = await updates.MoveNextAsync();
                }

                answered = true;
            }
            finally
            {
                await updates.DisposeAsync();
                if (routed is null)
                {
                    // The tokens are spent, so they are counted even when the client has gone, stopped the turn or the
                    // model failed mid-answer. A model that reports no usage is counted at about four characters a token
                    // of its reply, and an answer cut before the model reported it also at its prompt's.
                    var input = usage.InputTokens ?? (began && !answered ? TokensOf(messages.Sum(m => m.Text.Length)) : 0);
                    await quota.CountAsync(turn.UserId, input, usage.OutputTokens ?? TokensOf(reply.Length), CancellationToken.None);
                }
            }

            responder = routed is null ? responder : "skill";
        }

        memoryAvailable &= await RecordAsync(turn, reply.ToString(), cancellationToken);
        if (!memoryAvailable && llm is not null)
        {
            var note = $"\n\n{MemoryUnavailableNote}";
            reply.Append(note);
            yield return new ChatToken(note);
        }

        yield return new ChatDone(reply.ToString(), turn.ConversationId, usage,
            new ChatTimings(Stopwatch.GetElapsedTime(started).TotalMilliseconds, firstToken), responder, memoryAvailable);
    }

    /// <summary>About four characters a token: the count of text a model did not report.</summary>
    private static int TokensOf(int characters) => (characters + 3) / 4;

    private async Task<string?> RouteAsync(SkillTurn turn, CancellationToken cancellationToken) =>
        (await skills.AnswerAsync(turn, cancellationToken))?.Answer;

    private static async IAsyncEnumerable<ChatResponseUpdate> Routed(string answer)
    {
        await Task.CompletedTask;
        yield return new ChatResponseUpdate(ChatRole.Assistant, answer);
    }

    /// <summary>The prompt: instructions with the recalled memories, recent turns within the budget, the message.</summary>
    private async Task<(List<ChatMessage> Messages, bool MemoryAvailable)> PromptAsync(ChatTurn turn, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        IReadOnlyList<MemoryHit> memories = [];
        IReadOnlyList<MemoryTurn> history = [];
        var available = memoryAvailability.ShouldTry();
        if (available)
        {
            try
            {
                // Both at once: a turn waits for the slower of the two, not for their sum.
                var recall = memory.RecallAsync(turn.UserId, turn.Message, settings.RecallLimit, cancellationToken);
                var past = turn.History is null
                    ? memory.GetTurnsAsync(turn.UserId, turn.ConversationId, Math.Max(settings.HistoryTurns, 1), cancellationToken)
                    : Task.FromResult<IReadOnlyList<MemoryTurn>>([]);
                await Task.WhenAll(recall, past);
                memories = recall.Result;
                history = past.Result;

                memoryAvailability.Succeeded();
            }
            catch (Exception e) when (e is MemoryUnavailableException or HttpRequestException)
            {
                available = false;
                memoryAvailability.Failed(e.Message);
            }
        }

        var system = new StringBuilder("You are Jarvis, a helpful personal assistant. Answer briefly and truthfully.");
        if (memories.Count > 0)
        {
            system.Append("\nWhat you remember about the user:");
            foreach (var hit in memories)
            {
                system.Append("\n- ").Append(hit.Text);
            }
        }

        var messages = new List<ChatMessage> { new(ChatRole.System, system.ToString()) };
        var budget = settings.HistoryCharacterBudget;
        var kept = new List<ChatMessage>();
        // Only what was said: skills keep their state in the conversation as other turns (a game's, say).
        foreach (var past in history.Where(t => t.Role is "user" or "assistant").Reverse())
        {
            budget -= past.Text.Length;
            if (budget < 0)
            {
                break;
            }

            kept.Add(new ChatMessage(past.Role == "assistant" ? ChatRole.Assistant : ChatRole.User, past.Text));
        }

        kept.Reverse();
        messages.AddRange(turn.History ?? [.. kept, new ChatMessage(ChatRole.User, turn.Message)]);
        return (messages, available);
    }

    /// <summary>Records the user's message and the reply; false when memory could not take them.</summary>
    private async Task<bool> RecordAsync(ChatTurn turn, string reply, CancellationToken cancellationToken)
    {
        if (turn.History is not null)
        {
            return true;
        }

        if (!memoryAvailability.ShouldTry())
        {
            return false;
        }

        try
        {
            // A reply stopped before its first word leaves only the message to record.
            MemoryTurnToAppend[] turns = string.IsNullOrWhiteSpace(reply)
                ? [new(turn.UserId, turn.ConversationId, "user", turn.Message)]
                : [new(turn.UserId, turn.ConversationId, "user", turn.Message), new(turn.UserId, turn.ConversationId, "assistant", reply)];
            await recorder.RecordAsync(turns, cancellationToken);
            memoryAvailability.Succeeded();
            return true;
        }
        catch (Exception e) when (e is MemoryUnavailableException or HttpRequestException)
        {
            memoryAvailability.Failed(e.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The model {Model} does not support tools; turns go on without them.")]
    private static partial void LogToolsUnsupported(ILogger logger, string? model);

}
