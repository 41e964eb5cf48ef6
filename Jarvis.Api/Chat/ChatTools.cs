using System.Globalization;
using System.Text.Json;
using Jarvis.Api.Memory;
using Jarvis.Api.Responder;
using Microsoft.Extensions.AI;

namespace Jarvis.Api.Chat;

/// <summary>
/// The tools a tool-capable model may call during a turn: <c>remember</c>, <c>recall</c>, <c>forget</c> (the user's
/// memories) and <c>time</c>. Each acts for the turn's user only.
/// </summary>
public sealed class ChatTools(MemoryClient memory, OfflineResponder offline, TimeProvider timeProvider)
{
    private static readonly JsonElement s_textArgument = Schema("""{"type":"object","properties":{"text":{"type":"string","description":"What to remember, as a full sentence."}},"required":["text"]}""");
    private static readonly JsonElement s_queryArgument = Schema("""{"type":"object","properties":{"query":{"type":"string","description":"What to look for."}},"required":["query"]}""");
    private static readonly JsonElement s_noArguments = Schema("""{"type":"object","properties":{}}""");

    /// <summary>The tool declarations sent to the model.</summary>
    public IList<AITool> Declarations { get; } =
    [
        new Tool("remember", "Store a fact or preference about the user for later conversations.", s_textArgument),
        new Tool("recall", "Find what is remembered about the user on a topic.", s_queryArgument),
        new Tool("forget", "Forget what is remembered about the user on a topic.", s_queryArgument),
        new Tool("time", "The current date and time.", s_noArguments),
    ];

    /// <summary>Runs a call for <paramref name="userId"/>; the result (or the error) is text for the model.</summary>
    public async Task<string> InvokeAsync(FunctionCallContent call, string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        string Argument(string name) => call.Arguments?.TryGetValue(name, out var value) == true ? value?.ToString() ?? "" : "";
        try
        {
            switch (call.Name)
            {
                case "remember":
                    await memory.RememberAsync(userId, Argument("text"), cancellationToken: cancellationToken);
                    return "Remembered.";
                case "recall":
                    var hits = await memory.RecallAsync(userId, Argument("query"), 5, cancellationToken);
                    return hits.Count == 0 ? "Nothing is remembered about that." : string.Join("\n", hits.Select(h => "- " + h.Text));
                case "forget":
                    var forgotten = await memory.ForgetAsync(userId, Argument("query"), cancellationToken: cancellationToken);
                    return string.Create(CultureInfo.InvariantCulture, $"Forgot {forgotten.Count} memories.");
                case "time":
                    var now = TimeZoneInfo.ConvertTime(timeProvider.GetUtcNow(), offline.TimeZone);
                    return now.ToString("dddd d MMMM yyyy, HH:mm (zzz)", CultureInfo.InvariantCulture);
                default:
                    return $"There is no tool named '{call.Name}'.";
            }
        }
        catch (Exception e) when (e is MemoryUnavailableException or HttpRequestException or ArgumentException)
        {
            return $"The tool failed: {e.Message}";
        }
    }

    private static JsonElement Schema(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private sealed class Tool(string name, string description, JsonElement schema) : AIFunctionDeclaration
    {
        public override string Name => name;

        public override string Description => description;

        public override JsonElement JsonSchema => schema;
    }
}
