using Jarvis.Voice.Engines;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Voice.Health;

/// <summary>Healthy when every engine can run; Degraded naming what to install when one cannot.</summary>
internal sealed class VoiceEnginesHealthCheck(IEnumerable<ITextToSpeechEngine> speakers, IEnumerable<ISpeechToTextEngine> recognisers) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        List<string> missing = [];
        List<string> ready = [];
        foreach (var (name, check) in speakers.Select(e => (e.Name, (Func<CancellationToken, Task<string?>>)e.CheckAvailableAsync))
            .Concat(recognisers.Select(e => (e.Name, (Func<CancellationToken, Task<string?>>)e.CheckAvailableAsync))))
        {
            if (await check(cancellationToken) is { } reason)
            {
                missing.Add(reason);
            }
            else
            {
                ready.Add(name);
            }
        }

        return missing.Count == 0
            ? HealthCheckResult.Healthy($"Engines ready: {string.Join(", ", ready)}.")
            : HealthCheckResult.Degraded(string.Join(" ", missing));
    }
}
