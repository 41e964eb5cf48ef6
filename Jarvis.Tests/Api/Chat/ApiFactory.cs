using Jarvis.Api.Chat;
using Jarvis.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.Api.Chat;

/// <summary>
/// Jarvis.Api in-process with the API key <see cref="Key"/>, its logs captured, memory and voice pointed at a closed port (so
/// they are "down") unless the settings say otherwise, and no LLM unless the settings configure one.
/// </summary>
public sealed class ApiFactory(IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<ChatService>
{
    public const string Key = "test-api-key-0123456789";

    public CapturingLoggerProvider Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Jarvis:ApiKey", Key);
        builder.UseSetting("Jarvis:MemoryUrl", "http://127.0.0.1:1");
        builder.UseSetting("Jarvis:VoiceUrl", "http://127.0.0.1:1");
        // Memory is down unless a test says otherwise: fail at once (the library allows no fewer than 1 retry).
        builder.UseSetting("HttpResilience:Clients:MemoryClient:Retry:Delay", "00:00:00");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.ClearProviders());
        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Logs));
    }

    /// <summary>A client that sends the API key.</summary>
    public HttpClient CreateKeyedClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", Key);
        return client;
    }
}
