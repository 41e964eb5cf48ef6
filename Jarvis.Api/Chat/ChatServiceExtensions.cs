using Jarvis.Api.Llm;
using Jarvis.Api.Responder;
using Jarvis.Api.Voice;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Api.Chat;

/// <summary>The conversation service: the LLM when one is configured, the offline responder otherwise.</summary>
public static class ChatServiceExtensions
{
    /// <summary>
    /// Registers the chat service. The LLM is the Ollama model of <c>ConnectionStrings:{Jarvis:Llm:ConnectionStringName}</c>
    /// (default <c>ollama-llama3-2</c>, the AppHost's model resource), else <c>ConnectionStrings:ollama</c>; with neither,
    /// the offline responder answers and the <c>llm</c> health check is Degraded.
    /// </summary>
    public static IHostApplicationBuilder AddChat(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ConversationOptions>().BindConfiguration("Jarvis:Chat").ValidateDataAnnotations().ValidateOnStart();
        builder.AddOfflineResponder();
        builder.Services.AddHealthChecks().AddCheck<Memory.MemoryHealthCheck>("memory", failureStatus: HealthStatus.Degraded);
        builder.Services.AddSingleton<ServiceMetrics>();
        builder.Services.AddSingleton<IHealthCheckPublisher>(sp => sp.GetRequiredService<ServiceMetrics>());
        builder.Services.Configure<HealthCheckPublisherOptions>(publisher => publisher.Delay = TimeSpan.FromSeconds(1));
        builder.Services.AddHttpClient<Memory.MemoryClient>().AddHttpMessageHandler(sp => sp.GetRequiredService<ServiceMetrics>().TimingHandler("memory"));
        builder.AddVoiceClient().AddHttpMessageHandler(sp => sp.GetRequiredService<ServiceMetrics>().TimingHandler("voice"));
        builder.Services.AddSingleton<ChatMetrics>();
        builder.Services.AddSingleton<ChatTools>();
        builder.Services.AddSingleton<ChatService>();

        if (LlmConfiguration.FromConfiguration(builder.Configuration) is not { } connection)
        {
            builder.Services.AddHealthChecks().AddCheck("llm", () => HealthCheckResult.Degraded(
                "No LLM configured: the offline responder answers. Set ConnectionStrings__ollama=Endpoint=http://localhost:11434;Model=llama3.2:1b."));
            return builder;
        }

        builder.Services.AddSingleton(connection);
        builder.Services.AddSingleton<LlmTelemetry>();

        // A model's first token can take a while (loading it into memory): long attempts; no retry once streaming.
        builder.Services.AddHttpClient("ollama").AddHttpMessageHandler(sp => sp.GetRequiredService<ServiceMetrics>().TimingHandler("llm")).ConfigureResilience(resilience =>
        {
            resilience.AttemptTimeout.Timeout = TimeSpan.FromMinutes(2);
            resilience.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(5);
            resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(5);
        });
        builder.Services.AddSingleton<IChatClient>(sp => new OllamaChatClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient("ollama"),
            connection,
            sp.GetRequiredService<LlmTelemetry>(),
            sp.GetRequiredService<ILogger<OllamaChatClient>>()));
        builder.Services.AddHealthChecks().AddCheck("llm", () => HealthCheckResult.Healthy($"ollama {connection.Model}"));
        return builder;
    }
}
