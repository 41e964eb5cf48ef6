using Jarvis.Api.Memory;
using Jarvis.Api.Skills.Hangman;
using Jarvis.Api.Skills.HomeAssistant;
using Jarvis.Api.Skills.Memory;
using Jarvis.Api.Skills.Time;
using Jarvis.Api.Skills.Weather;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;

namespace Jarvis.Api.Skills;

/// <summary>Registers the skills.</summary>
public static class SkillExtensions
{
    /// <summary>The configuration key of the total time a skill's external call may take (default 5 s).</summary>
    public const string TimeoutKey = "Jarvis:Skills:Timeout";

    /// <summary>
    /// Registers the memory skill: the user's long-term memory in Jarvis.Memory. Register it before the others, so that
    /// "remember that it's going to rain in Paris" is a memory, not the weather.
    /// </summary>
    public static IHostApplicationBuilder AddMemorySkill(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.Services.Any(s => s.ServiceType == typeof(MemoryClient)))
        {
            builder.AddMemoryClient();
        }

        builder.Services.TryAddSingleton<SkillTelemetry>();
        builder.Services.AddSingleton<ISkill, MemorySkill>();
        return builder;
    }

    /// <summary>Registers the time skill: the date and time in <c>Jarvis:TimeZone</c> (an IANA id, default UTC).</summary>
    public static IHostApplicationBuilder AddTimeSkill(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<SkillTelemetry>();
        builder.Services.AddSingleton<ISkill, TimeSkill>();
        return builder;
    }

    /// <summary>
    /// Registers the weather skill: Open-Meteo at <c>Jarvis:Skills:Weather:ForecastUrl</c> and <c>:GeocodingUrl</c>, in
    /// <c>:TemperatureUnit</c>, through the standard resilience pipeline bounded by <c>Jarvis:Skills:Timeout</c>.
    /// </summary>
    public static IHostApplicationBuilder AddWeatherSkill(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<WeatherOptions>().BindConfiguration("Jarvis:Skills:Weather").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpClient<OpenMeteoClient>().ConfigureSkillResilience(builder);
        builder.Services.TryAddSingleton<SkillTelemetry>();
        builder.Services.AddSingleton<ISkill, WeatherSkill>();
        return builder;
    }

    /// <summary>
    /// Registers the home automation skill: Home Assistant at <c>ConnectionStrings:homeassistant</c>
    /// (<c>Endpoint=http://host:8123;Key=TOKEN</c>); unset, the skill says how to configure it.
    /// </summary>
    public static IHostApplicationBuilder AddHomeAssistantSkill(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connection = HomeAssistantConnection.FromConfiguration(builder.Configuration);
        builder.Services.AddHttpClient(HomeAssistantClient.HttpClientName)
            .ConfigureSkillResilience(builder)
            .ConfigureResilience(resilience => resilience.Retry.DisableForUnsafeHttpMethods()); // a service call acts: never sent twice
        builder.Services.AddSingleton(sp => new HomeAssistantClient(sp.GetRequiredService<IHttpClientFactory>(), connection, sp.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<SkillTelemetry>();
        builder.Services.AddSingleton<ISkill, HomeAssistantSkill>();
        return builder;
    }

    /// <summary>Registers hangman, whose games are kept in the conversation in Jarvis.Memory.</summary>
    public static IHostApplicationBuilder AddHangmanSkill(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<SkillTelemetry>();
        builder.Services.AddSingleton<ISkill, HangmanSkill>();
        return builder;
    }

    /// <summary>
    /// A slow external service costs a sentence, not a hung turn: the whole call, one quick retry included, within
    /// <c>Jarvis:Skills:Timeout</c>.
    /// </summary>
    private static IHttpClientBuilder ConfigureSkillResilience(this IHttpClientBuilder client, IHostApplicationBuilder builder)
    {
        var timeout = builder.Configuration.GetValue(TimeoutKey, TimeSpan.FromSeconds(5));
        if (timeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{TimeoutKey} must be positive.");
        }

        return client.ConfigureResilience(resilience =>
        {
            resilience.TotalRequestTimeout.Timeout = timeout;
            resilience.AttemptTimeout.Timeout = timeout / 2;
            resilience.Retry.MaxRetryAttempts = 1;
            resilience.Retry.Delay = TimeSpan.FromMilliseconds(100);
        });
    }
}
