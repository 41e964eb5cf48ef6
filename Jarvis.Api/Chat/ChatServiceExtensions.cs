using Jarvis.Api.Llm;
using Jarvis.Api.Memory;
using Jarvis.Api.Quotas;
using Jarvis.Api.Responder;
using Jarvis.Api.Voice;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Api.Chat;

/// <summary>The conversation service: the LLM when one is configured, the offline responder otherwise.</summary>
public static class ChatServiceExtensions
{
    /// <summary>
    /// Registers the chat service and its LLM (<see cref="LlmExtensions.AddLlm"/>): the Ollama model of
    /// <c>ConnectionStrings:{Jarvis:Llm:ConnectionStringName}</c> (default <c>ollama-llama3-2</c>, the AppHost's model
    /// resource), else <c>ConnectionStrings:ollama</c>; with neither, the offline responder answers. LLM turns are
    /// counted and kept within <c>Jarvis:Quotas</c> (<see cref="QuotaExtensions.AddTokenQuotas"/>).
    /// </summary>
    public static IHostApplicationBuilder AddChat(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ConversationOptions>().BindConfiguration("Jarvis:Chat").ValidateDataAnnotations().ValidateOnStart();
        builder.AddOfflineResponder();
        builder.AddTokenQuotas();
        builder.Services.AddHealthChecks().AddCheck<MemoryHealthCheck>("memory", failureStatus: HealthStatus.Degraded);
        builder.Services.AddSingleton<ServiceMetrics>();
        builder.Services.AddSingleton<IHealthCheckPublisher>(sp => sp.GetRequiredService<ServiceMetrics>());
        builder.Services.Configure<HealthCheckPublisherOptions>(publisher => publisher.Delay = TimeSpan.FromSeconds(1));
        builder.AddMemoryClient().AddHttpMessageHandler(sp => sp.GetRequiredService<ServiceMetrics>().TimingHandler("memory"));
        builder.AddVoiceClient().AddHttpMessageHandler(sp => sp.GetRequiredService<ServiceMetrics>().TimingHandler("voice"));
        builder.Services.AddSingleton<ChatMetrics>();
        builder.Services.AddSingleton<MemoryAvailability>();
        builder.Services.AddSingleton<ChatService>();

        builder.AddLlm();
        return builder;
    }
}
