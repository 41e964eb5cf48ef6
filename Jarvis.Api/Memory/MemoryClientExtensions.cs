namespace Jarvis.Api.Memory;

/// <summary>Registers <see cref="MemoryClient"/>.</summary>
public static class MemoryClientExtensions
{
    /// <summary>The configuration key of the memory service's URL.</summary>
    public const string MemoryUrlKey = "Jarvis:MemoryUrl";

    /// <summary>The default URL: resolved by service discovery through <c>services__memory__http__0</c>.</summary>
    public const string DefaultMemoryUrl = "http://memory";

    /// <summary>
    /// Registers <see cref="MemoryClient"/> (and the <see cref="ConversationRecorder"/> over it) as a typed client whose base address is <c>Jarvis:MemoryUrl</c> (default
    /// <c>http://memory</c>); the ServiceDefaults pipeline gives it the request id, retries, timeouts and service discovery.
    /// Memory is on every turn's path and a turn must not wait long for a memory service that is down, so unless
    /// <c>HttpResilience:Clients:MemoryClient</c> is configured the client retries once after 200 ms, with 3 s per attempt
    /// and 5 s in all.
    /// </summary>
    public static IHttpClientBuilder AddMemoryClient(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var url = builder.Configuration[MemoryUrlKey];
        var baseAddress = new Uri(string.IsNullOrWhiteSpace(url) ? DefaultMemoryUrl : url.TrimEnd('/') + "/", UriKind.Absolute);
        builder.Services.AddSingleton<ConversationRecorder>();
        var client = builder.Services.AddHttpClient<MemoryClient>(client => client.BaseAddress = baseAddress);
        if (!builder.Configuration.GetSection($"HttpResilience:Clients:{client.Name}").Exists())
        {
            client.ConfigureResilience(options =>
            {
                options.Retry.MaxRetryAttempts = 1;
                options.Retry.Delay = TimeSpan.FromMilliseconds(200);
                options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(3);
                options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(5);
            });
        }

        return client;
    }
}
