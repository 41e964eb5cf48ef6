using System.Net;
using Jarvis.Api.Chat;
using Jarvis.Memory.Memories;
using Jarvis.Tests.Api.Chat;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Memory.Api;
using Jarvis.Tests.Voice;
using Jarvis.Voice.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// A service in-process for fuzzing, its logs captured: the Api (memory, voice and the LLM down, so the offline responder
/// answers; rate limits out of the way), Jarvis.Memory (embedded store, lexical embedder) or Jarvis.Voice (no speech
/// recogniser installed, so a WAV that passes the checks gets the documented 503).
/// </summary>
public sealed class FuzzHost<TEntry> : IAsyncDisposable where TEntry : class
{
    private readonly WebApplicationFactory<TEntry> _parent;

    private FuzzHost(WebApplicationFactory<TEntry> parent, Action<IServiceCollection>? services)
    {
        _parent = parent;
        Factory = parent.WithWebHostBuilder(builder => builder.ConfigureServices(s =>
        {
            s.AddSingleton<ILoggerProvider>(Logs);
            services?.Invoke(s);
        }));
    }

    public WebApplicationFactory<TEntry> Factory { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>
    /// The log records at Error or above (an unhandled exception, a failed turn), but Polly's: it logs the last failed
    /// attempt to reach a dependency that is down (Memory, Voice) as an error, which is what these services are told.
    /// </summary>
    public IReadOnlyList<string> Errors =>
        [.. Logs.Records.Where(r => r.Level >= LogLevel.Error && r.Category != "Polly").Select(r => $"{r.Category}: {r.Message} {r.Exception}")];

    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = Factory.CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await _parent.DisposeAsync();
    }

    internal static FuzzHost<TEntry> Create(WebApplicationFactory<TEntry> parent, Action<IServiceCollection>? services = null) => new(parent, services);
}

/// <summary>The fuzzed services.</summary>
public static class FuzzHosts
{
    /// <summary>The Api; every request comes from its own client address, so no rate limit partition fills up.</summary>
    public static FuzzHost<ChatService> Api() => FuzzHost<ChatService>.Create(new ApiFactory(new Dictionary<string, string>
    {
        ["Jarvis:ChatRequestsPerMinute"] = "100000000",
        ["Jarvis:WebSocketConnectionsPerMinute"] = "100000",
        ["Jarvis:WebSocket:MessagesPerWindow"] = "100000",
        ["HttpResilience:Clients:VoiceClient:Retry:Delay"] = "00:00:00",
    }), services => services.AddSingleton<IStartupFilter, ClientAddressStartupFilter>());

    public static FuzzHost<MemoryService> Memory() => FuzzHost<MemoryService>.Create(new MemoryApiFactory());

    public static FuzzHost<VoiceTelemetry> Voice() => FuzzHost<VoiceTelemetry>.Create(new VoiceApiFactory(new Dictionary<string, string>
    {
        ["Voice:Pocketsphinx:Executable"] = "/nonexistent/pocketsphinx_continuous",
    }));

    // The test server has no client address: give each request a new one (the client-events limit is a fixed 30 a minute).
    private sealed class ClientAddressStartupFilter : IStartupFilter
    {
        private int _next;

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, inner) =>
            {
                context.Connection.RemoteIpAddress = new IPAddress(BitConverter.GetBytes(Interlocked.Increment(ref _next)));
                return inner(context);
            });
            next(app);
        };
    }
}
