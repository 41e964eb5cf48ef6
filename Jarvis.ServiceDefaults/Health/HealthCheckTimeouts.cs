using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.Health;

/// <summary>
/// Wraps every registered check, whoever registered it, in a <see cref="TimeoutHealthCheck"/>: its own
/// <see cref="HealthCheckRegistration.Timeout"/> when it has one, otherwise <see cref="HealthOptions.CheckTimeout"/>.
/// </summary>
internal sealed class HealthCheckTimeouts(IOptions<HealthOptions> options) : IPostConfigureOptions<HealthCheckServiceOptions>
{
    public void PostConfigure(string? name, HealthCheckServiceOptions healthOptions)
    {
        foreach (var registration in healthOptions.Registrations)
        {
            var timeout = registration.Timeout > TimeSpan.Zero && registration.Timeout != Timeout.InfiniteTimeSpan
                ? registration.Timeout
                : options.Value.CheckTimeout;
            var factory = registration.Factory;
            registration.Factory = services => new TimeoutHealthCheck(factory(services), timeout);

            // The wrapper owns the timeout; the framework's own would race it with a vaguer message.
            registration.Timeout = Timeout.InfiniteTimeSpan;
        }
    }
}
