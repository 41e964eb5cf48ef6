using System.ComponentModel;
using System.Globalization;
using Jarvis.Api.Memory;
using Jarvis.Api.Responder;
using Microsoft.Extensions.AI;

namespace Jarvis.Api.Chat;

/// <summary>
/// The tools a tool-capable model may call during a turn, as <see cref="AIFunction"/>s that Microsoft.Extensions.AI's
/// function invocation runs: <c>remember</c>, <c>recall</c>, <c>forget</c> (the user's memories) and <c>time</c>. The
/// user is bound by the server for each turn (<see cref="For"/>); it is never a parameter the model could fill in.
/// </summary>
public sealed class ChatTools
{
    private static readonly object s_userIdKey = new();

    private readonly MemoryClient _memory;
    private readonly OfflineResponder _offline;
    private readonly TimeProvider _timeProvider;
    private readonly AIFunction[] _functions;

    /// <summary>Creates the tools over the memory client and the offline responder's time zone.</summary>
    public ChatTools(MemoryClient memory, OfflineResponder offline, TimeProvider timeProvider)
    {
        _memory = memory;
        _offline = offline;
        _timeProvider = timeProvider;
        _functions =
        [
            Function(RememberAsync, "remember", "Store a fact or preference about the user for later conversations."),
            Function(RecallAsync, "recall", "Find what is remembered about the user on a topic."),
            Function(ForgetAsync, "forget", "Forget what is remembered about the user on a topic."),
            Function(Time, "time", "The current date and time."),
        ];
    }

    /// <summary>The tools of one turn, each acting for <paramref name="userId"/> only.</summary>
    public IList<AITool> For(string userId) => [.. _functions.Select(function => new UserBoundFunction(function, userId))];

    private async Task<string> RememberAsync([Description("What to remember, as a full sentence.")] string text, AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        await Guarded(async () =>
        {
            await _memory.RememberAsync(UserOf(arguments), text, cancellationToken: cancellationToken);
            return "Remembered.";
        });

    private async Task<string> RecallAsync([Description("What to look for.")] string query, AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        await Guarded(async () =>
        {
            var hits = await _memory.RecallAsync(UserOf(arguments), query, 5, cancellationToken);
            return hits.Count == 0 ? "Nothing is remembered about that." : string.Join("\n", hits.Select(h => "- " + h.Text));
        });

    private async Task<string> ForgetAsync([Description("What to look for.")] string query, AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        await Guarded(async () =>
        {
            var forgotten = await _memory.ForgetAsync(UserOf(arguments), query, cancellationToken: cancellationToken);
            return string.Create(CultureInfo.InvariantCulture, $"Forgot {forgotten.Count} memories.");
        });

    private string Time() =>
        TimeZoneInfo.ConvertTime(_timeProvider.GetUtcNow(), _offline.TimeZone).ToString("dddd d MMMM yyyy, HH:mm (zzz)", CultureInfo.InvariantCulture);

    /// <summary>A failure of memory is text for the model, which can then tell the user.</summary>
    private static async Task<string> Guarded(Func<Task<string>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is MemoryUnavailableException or HttpRequestException or ArgumentException)
        {
            return $"The tool failed: {e.Message}";
        }
    }

    private static string UserOf(AIFunctionArguments arguments) =>
        arguments.Context?.TryGetValue(s_userIdKey, out var userId) == true && userId is string id
            ? id
            : throw new InvalidOperationException("A chat tool was invoked without the turn's user.");

    private static AIFunction Function(Delegate method, string name, string description) =>
        AIFunctionFactory.Create(method, new AIFunctionFactoryOptions { Name = name, Description = description });

    /// <summary>One turn's view of a tool: the turn's user travels in the invocation context, out of the model's reach.</summary>
    private sealed class UserBoundFunction(AIFunction inner, string userId) : DelegatingAIFunction(inner)
    {
        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            arguments.Context ??= new Dictionary<object, object?>();
            arguments.Context[s_userIdKey] = userId;
            return base.InvokeCoreAsync(arguments, cancellationToken);
        }
    }
}
