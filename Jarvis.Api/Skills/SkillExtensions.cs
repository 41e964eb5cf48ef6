using Jarvis.Api.Skills.Weather;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Jarvis.Api.Skills;

/// <summary>Registers the skills.</summary>
public static class SkillExtensions
{
    /// <summary>The configuration key of the total time a skill's external call may take (default 5 s).</summary>
    public const string TimeoutKey = "Jarvis:Skills:Timeout";

    /// <summary>
    /// Registers the weather skill: Open-Meteo at <c>Jarvis:Skills:Weather:ForecastUrl</c> and <c>:GeocodingUrl</c>, in
    /// <c>:TemperatureUnit</c>, through the standard resilience pipeline bounded by <c>Jarvis:Skills:Timeout</c>.
    /// </summary>
    public static IHostApplicationBuilder AddWeatherSkill(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<WeatherOptions>().BindConfiguration("Jarvis:Skills:Weather").ValidateDataAnnotations().ValidateOnStart();
        var timeout = builder.Configuration.GetValue(TimeoutKey, TimeSpan.FromSeconds(5));
        if (timeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{TimeoutKey} must be positive.");
        }

        // A slow weather service costs a sentence, not a hung turn: one quick retry, all of it within the timeout.
        builder.Services.AddHttpClient<OpenMeteoClient>().ConfigureResilience(resilience =>
        {
            resilience.TotalRequestTimeout.Timeout = timeout;
            resilience.AttemptTimeout.Timeout = timeout / 2;
            resilience.Retry.MaxRetryAttempts = 1;
            resilience.Retry.Delay = TimeSpan.FromMilliseconds(100);
        });
        builder.Services.TryAddSingleton<SkillTelemetry>();
        builder.Services.AddSingleton<ISkill, WeatherSkill>();
        return builder;
    }
}
