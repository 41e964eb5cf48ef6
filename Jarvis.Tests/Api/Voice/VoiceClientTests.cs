using Jarvis.Api.Voice;
using Jarvis.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Tests.Api.Voice;

/// <summary>The voice client against a voice service that sends its headers and then stalls mid-body.</summary>
public sealed class VoiceClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_spoken_sentence_whose_body_stalls_is_voice_unavailable_after_the_body_timeout()
    {
        var (app, baseAddress) = await StallingVoiceAsync();
        await using var _ = app;
        using var http = new HttpClient { BaseAddress = baseAddress };
        var client = new VoiceClient(http, TimeSpan.FromMilliseconds(300));

        var failure = await Assert.ThrowsAsync<VoiceUnavailableException>(() => client.SpeakAsync("Hello there.", "en", Ct));

        Assert.Contains("stalled mid-answer", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_callers_stop_is_a_cancellation_not_unavailability()
    {
        var (app, baseAddress) = await StallingVoiceAsync();
        await using var _ = app;
        using var http = new HttpClient { BaseAddress = baseAddress };
        var client = new VoiceClient(http);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SpeakAsync("Hello there.", "en", stop.Token));
    }

    /// <summary>A voice service whose <c>/api/tts</c> sends its headers and the start of a WAV, then nothing.</summary>
    private static Task<(WebApplication App, Uri BaseAddress)> StallingVoiceAsync() =>
        LoopbackApp.StartAsync("stalling-voice", app => app.MapPost("/api/tts", async (HttpContext context) =>
        {
            context.Response.ContentType = "audio/wav";
            await context.Response.Body.WriteAsync("RIFF\0\0\0\0WAVE"u8.ToArray(), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }), Ct);
}
