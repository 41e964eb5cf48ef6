using System.Globalization;
using Jarvis.Api.Responder;
using Microsoft.Extensions.AI;

namespace Jarvis.Api.Skills.Time;

/// <summary>
/// The date and time in <c>Jarvis:TimeZone</c>, as the <c>time</c> tool. Its offline phrasings ("what time is it",
/// "quelle heure est-il") are the offline responder's own intents, so its router answers nothing itself.
/// </summary>
public sealed class TimeSkill(TimeProvider timeProvider, IConfiguration configuration, ILogger<TimeSkill> logger, SkillTelemetry telemetry) : ISkill
{
    private readonly TimeZoneInfo _timeZone = OfflineResponder.ResolveTimeZone(configuration[OfflineResponder.TimeZoneKey], logger);

    /// <inheritdoc />
    public string Name => "time";

    /// <inheritdoc />
    public IEnumerable<AIFunction> Tools(SkillTurn turn)
    {
        yield return AIFunctionFactory.Create(
            async () => (await telemetry.RunAsync(Name, () => Task.FromResult(new SkillAnswer(
                TimeZoneInfo.ConvertTime(timeProvider.GetUtcNow(), _timeZone).ToString("dddd d MMMM yyyy, HH:mm (zzz)", CultureInfo.InvariantCulture), "ok")))).Text,
            new AIFunctionFactoryOptions { Name = "time", Description = "The current date and time." });
    }

    /// <inheritdoc />
    public Task<string?> TryAnswerAsync(SkillTurn turn, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
