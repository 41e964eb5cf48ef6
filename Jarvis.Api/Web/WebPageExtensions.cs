using System.Text.Json;
using Jarvis.Api.Chat;
using Jarvis.Api.Security;
using Jarvis.Api.Voice;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.Web;

/// <summary>
/// The web chat page: its files (<c>wwwroot/</c>, no build step, every asset local) at <c>/</c>, what it needs to know
/// (<c>GET /api/client-config</c>), and its telemetry (<c>POST /api/client-events</c>).
/// </summary>
public static class WebPageExtensions
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>Registers the page's options (<c>Jarvis:DashboardUrl</c>) and the recorder of its events.</summary>
    public static IHostApplicationBuilder AddWebPage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<WebPageOptions>().BindConfiguration("Jarvis");
        builder.Services.AddSingleton<ClientEventRecorder>();
        return builder;
    }

    /// <summary>Serves the page's files from <c>wwwroot/</c>, revalidated on every load so an upgrade is seen at once.</summary>
    public static IApplicationBuilder UseWebPage(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseDefaultFiles();
        return app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
    }

    /// <summary>Maps <c>GET /api/client-config</c> and <c>POST /api/client-events</c>, behind the API key.</summary>
    public static IEndpointRouteBuilder MapWebPage(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization().WithTags("Web page");
        api.MapGet("/client-config", (IOptions<WebPageOptions> page, IOptions<ConversationOptions> chat, IOptions<VoiceTurnOptions> voice) =>
                TypedResults.Ok(new ClientConfig(page.Value.DashboardUrl?.ToString().TrimEnd('/'), chat.Value.MaxMessageLength, voice.Value.MaxAudioBytes, voice.Value.MaxAudioSeconds)))
            .WithSummary("What the page needs to know: the dashboard's URL (for trace links) and the limits.");
        api.MapPost("/client-events", ClientEventsAsync).RequireRateLimiting(RateLimitPolicies.ClientEvents)
            .WithSummary("The page's uncaught errors and timings, recorded as logs and metrics.");
        return app;
    }

    private static async Task<IResult> ClientEventsAsync(HttpRequest request, ClientEventRecorder recorder, CancellationToken cancellationToken)
    {
        if (request.ContentLength > ClientEventRecorder.MaxBytes)
        {
            return TooLarge();
        }

        var body = await RequestBody.ReadAtMostAsync(request, ClientEventRecorder.MaxBytes, cancellationToken);
        if (body.Length > ClientEventRecorder.MaxBytes)
        {
            return TooLarge();
        }

        ClientEventBatch? batch;
        try
        {
            batch = JsonSerializer.Deserialize<ClientEventBatch>(body, s_json);
        }
        catch (JsonException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not valid JSON", detail: e.Message);
        }

        if (ClientEventRecorder.Validate(batch) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        recorder.Record(batch!);
        return TypedResults.Accepted((string?)null);
    }

    private static ProblemHttpResult TooLarge() => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large",
        detail: $"A post of client events may have at most {ClientEventRecorder.MaxBytes} bytes and {ClientEventRecorder.MaxEvents} events.");
}

/// <summary>What the page needs to know.</summary>
/// <param name="DashboardUrl">The Aspire dashboard, for trace links; null when unknown.</param>
/// <param name="MaxMessageLength">The longest message, in characters.</param>
/// <param name="MaxAudioBytes">The largest recording, in bytes.</param>
/// <param name="MaxAudioSeconds">The longest recording, in seconds.</param>
public sealed record ClientConfig(string? DashboardUrl, int MaxMessageLength, int MaxAudioBytes, int MaxAudioSeconds);
