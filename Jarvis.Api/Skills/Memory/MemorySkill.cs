using System.ComponentModel;
using System.Globalization;
using Jarvis.Api.Memory;
using Microsoft.Extensions.AI;

namespace Jarvis.Api.Skills.Memory;

/// <summary>
/// The user's long-term memory as tools for the model: <c>remember</c>, <c>recall</c> and <c>forget</c>, acting for the
/// turn's user only. Its offline phrasings ("remember that …", "que sais-tu de …") are the offline responder's own
/// intents, so its router answers nothing itself.
/// </summary>
public sealed class MemorySkill(MemoryClient memory, SkillTelemetry telemetry) : ISkill
{
    /// <inheritdoc />
    public string Name => "memory";

    /// <inheritdoc />
    public IEnumerable<AIFunction> Tools(SkillTurn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var user = turn.UserId;
        yield return AIFunctionFactory.Create(
            ([Description("What to remember, as a full sentence.")] string text, CancellationToken cancellationToken) => RunAsync(async () =>
            {
                await memory.RememberAsync(user, text, cancellationToken: cancellationToken);
                return "Remembered.";
            }),
            new AIFunctionFactoryOptions { Name = "remember", Description = "Store a fact or preference about the user for later conversations." });
        yield return AIFunctionFactory.Create(
            ([Description("What to look for.")] string query, CancellationToken cancellationToken) => RunAsync(async () =>
            {
                var hits = await memory.RecallAsync(user, query, 5, cancellationToken);
                return hits.Count == 0 ? "Nothing is remembered about that." : string.Join("\n", hits.Select(h => "- " + h.Text));
            }),
            new AIFunctionFactoryOptions { Name = "recall", Description = "Find what is remembered about the user on a topic." });
        yield return AIFunctionFactory.Create(
            ([Description("What to look for.")] string query, CancellationToken cancellationToken) => RunAsync(async () =>
            {
                var forgotten = await memory.ForgetAsync(user, query, cancellationToken: cancellationToken);
                return string.Create(CultureInfo.InvariantCulture, $"Forgot {forgotten.Count} memories.");
            }),
            new AIFunctionFactoryOptions { Name = "forget", Description = "Forget what is remembered about the user on a topic." });
    }

    /// <inheritdoc />
    public Task<string?> TryAnswerAsync(SkillTurn turn, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>A failure of memory is text for the model, which can then tell the user.</summary>
    private async Task<string> RunAsync(Func<Task<string>> call) =>
        (await telemetry.RunAsync(Name, async () =>
        {
            try
            {
                return new SkillAnswer(await call(), "ok");
            }
            catch (Exception e) when (e is MemoryUnavailableException or HttpRequestException or ArgumentException)
            {
                return new SkillAnswer($"The tool failed: {e.Message}", "unavailable");
            }
        })).Text;
}
