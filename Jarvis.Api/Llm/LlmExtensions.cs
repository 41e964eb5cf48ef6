using Jarvis.Api.Chat;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Api.Llm;

/// <summary>Registers the LLM: OllamaSharp as the <see cref="IChatClient"/>, in a Microsoft.Extensions.AI pipeline.</summary>
public static class LlmExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> that talks to Ollama.</summary>
    public const string HttpClientName = "ollama";

    /// <summary>
    /// Registers the chat client of the Ollama model in <c>ConnectionStrings:{Jarvis:Llm:ConnectionStringName}</c> (see
    /// <see cref="LlmConfiguration"/>), outermost first: function invocation (the skills' tools),
    /// OpenTelemetry (GenAI spans and metrics under <see cref="LlmTelemetry.SourceName"/>), logging, Jarvis' own
    /// <c>llm_*</c> metrics, Ollama's failures in words, then OllamaSharp (its streams ending when cancelled) over the <c>ollama</c> HTTP client (resilience,
    /// service discovery and request ids from ServiceDefaults). With no model configured nothing is registered, and the
    /// <c>llm</c> health check is Degraded: the offline responder answers.
    /// </summary>
    public static IHostApplicationBuilder AddLlm(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (LlmConfiguration.FromConfiguration(builder.Configuration) is not { } connection)
        {
            builder.Services.AddHealthChecks().AddCheck("llm", () => HealthCheckResult.Degraded(
                "No LLM configured: the offline responder answers. Set ConnectionStrings__ollama=Endpoint=http://localhost:11434;Model=llama3.2:1b."));
            return builder;
        }

        builder.Services.AddSingleton(connection);
        var streamIdleTimeout = builder.Configuration.GetValue(LlmConfiguration.StreamIdleTimeoutKey, TimeSpan.FromSeconds(60));
        if (streamIdleTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{LlmConfiguration.StreamIdleTimeoutKey} must be a positive time span, such as 00:01:00; it is {streamIdleTimeout}.");
        }

        builder.Services.AddSingleton<LlmTelemetry>();
        builder.Services.TryAddSingleton<ServiceMetrics>();

        // A model's first token can take a while (loading it into memory): long attempts. The pipeline ends when the
        // headers arrive, so a stream that fails after its first token is never retried.
        builder.Services.AddHttpClient(HttpClientName, http => http.BaseAddress = connection.Endpoint)
            .AddHttpMessageHandler(sp => sp.GetRequiredService<ServiceMetrics>().TimingHandler("llm"))
            .ConfigureResilience(resilience =>
            {
                resilience.AttemptTimeout.Timeout = TimeSpan.FromMinutes(2);
                resilience.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(5);
                resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(5);
            });

        builder.Services.AddChatClient(sp => new CancellableOllamaApiClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), connection.Model))
            .UseFunctionInvocation(configure: invocation => invocation.MaximumIterationsPerRequest = 4)
            .UseOpenTelemetry(sourceName: LlmTelemetry.SourceName)
            .UseLogging()
            .Use((inner, sp) => new LlmMetricsChatClient(inner, sp.GetRequiredService<LlmTelemetry>(), "ollama"))
            .Use(inner => new OllamaErrorsChatClient(inner, connection, streamIdleTimeout));
        builder.Services.AddHealthChecks().AddCheck("llm", () => HealthCheckResult.Healthy($"ollama {connection.Model}"));
        return builder;
    }
}
