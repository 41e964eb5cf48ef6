using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.Security;

/// <summary>
/// The rate limits: <see cref="Chat"/> and <see cref="ClientEvents"/> per key and client, <see cref="WebSocketConnect"/>
/// per client. A rejection is a
/// 429 problem detail with <c>Retry-After</c>, counted by <c>rate_limit_hits_total{policy}</c>.
/// </summary>
public static class RateLimitPolicies
{
    /// <summary>Chat requests: <c>ChatRequestsPerMinute</c> per key and client.</summary>
    public const string Chat = "chat";

    /// <summary>New WebSocket connections: <c>WebSocketConnectionsPerMinute</c> per client.</summary>
    public const string WebSocketConnect = "ws-connect";

    /// <summary>Browser telemetry posts: 30 a minute per key and client.</summary>
    public const string ClientEvents = "client-events";

    /// <summary>Registers the policies and the 429 answer.</summary>
    public static IServiceCollection AddJarvisRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<RateLimitMetrics>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ApiSecurityOptions>>((limiter, security) =>
        {
            limiter.AddPolicy(Chat, context => RateLimitPartition.GetFixedWindowLimiter(
                $"{context.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value}|{context.Connection.RemoteIpAddress}",
                _ => PerMinute(security.Value.ChatRequestsPerMinute)));
            limiter.AddPolicy(WebSocketConnect, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => PerMinute(security.Value.WebSocketConnectionsPerMinute)));
            limiter.AddPolicy(ClientEvents, context => RateLimitPartition.GetFixedWindowLimiter(
                $"{context.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value}|{context.Connection.RemoteIpAddress}",
                _ => PerMinute(30)));
            limiter.OnRejected = RejectAsync;
        });
        return services;
    }

    private static FixedWindowRateLimiterOptions PerMinute(int permits) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
    };

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var policy = http.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? "global";
        http.RequestServices.GetRequiredService<RateLimitMetrics>().Hit(policy);
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"The '{policy}' limit is reached; try again in {Math.Ceiling(retryAfter.TotalSeconds)} s.",
            },
        });
    }
}

/// <summary><c>rate_limit_hits_total{policy}</c> on meter <c>Jarvis.Api</c>.</summary>
public sealed class RateLimitMetrics
{
    private readonly Counter<long> _hits;

    /// <summary>Creates the counter.</summary>
    public RateLimitMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _hits = meterFactory.Create("Jarvis.Api").CreateCounter<long>("rate_limit_hits_total", "{rejection}", "Requests rejected by a rate limit.");
    }

    /// <summary>Counts one rejection by <paramref name="policy"/>.</summary>
    public void Hit(string policy) => _hits.Add(1, new KeyValuePair<string, object?>("policy", policy));
}
