using Jarvis.Api.Chat;
using Jarvis.Api.Security;
using Jarvis.Api.Voice;
using Jarvis.ServiceDefaults.Shutdown;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.WebSockets;

/// <summary>The WebSocket chat channel at <c>/ws</c>.</summary>
public static class ChatSocketEndpoints
{
    /// <summary>Registers the registry (a drain participant) and the options.</summary>
    public static IHostApplicationBuilder AddChatSockets(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ChatSocketOptions>().BindConfiguration("Jarvis:WebSocket").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ChatSocketRegistry>();
        builder.Services.AddDrainParticipant<ChatSocketRegistry>();
        return builder;
    }

    /// <summary>Maps <c>/ws</c>, behind the API key (or a browser token) and the connection rate limit.</summary>
    public static IEndpointRouteBuilder MapChatSockets(this IEndpointRouteBuilder app)
    {
        app.Map("/ws", async (HttpContext context, ChatSocketRegistry registry, DrainState drain) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket required", detail: "Connect with a WebSocket upgrade.");
            }

            if (drain.IsDraining)
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Shutting down", detail: "The service is stopping; reconnect in a moment.");
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var services = context.RequestServices;
            using var session = new ChatSocketSession(socket, context,
                services.GetRequiredService<ChatService>(),
                services.GetRequiredService<ChatMetrics>(),
                services.GetRequiredService<VoiceClient>(),
                services.GetRequiredService<SpokenReply>(),
                services.GetRequiredService<IOptions<ChatSocketOptions>>(),
                services.GetRequiredService<IOptions<ConversationOptions>>(),
                services.GetRequiredService<IOptions<VoiceTurnOptions>>(),
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILogger<ChatSocketSession>>());
            using (registry.Register(session))
            {
                await session.RunAsync(context.RequestAborted);
            }

            return Results.Empty;
        }).RequireAuthorization().RequireRateLimiting(RateLimitPolicies.WebSocketConnect).WithTags("Chat");
        return app;
    }
}
