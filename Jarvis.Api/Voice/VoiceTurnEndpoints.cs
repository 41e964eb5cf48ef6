using System.Diagnostics;
using Jarvis.Api.Chat;
using Jarvis.Api.Llm;
using Jarvis.Api.Quotas;
using Jarvis.Api.Security;
using Jarvis.Api.Web;
using Jarvis.ServiceDefaults.Shutdown;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.Voice;

/// <summary>
/// The voice turn, <c>POST /api/voice</c>: a WAV in, Jarvis.Voice transcribes it, the transcript is a normal chat turn
/// (memory, skills, LLM or offline responder), and the reply comes back spoken, as JSON or as server-sent events.
/// </summary>
public static class VoiceTurnEndpoints
{
    /// <summary>Registers the spoken reply, its metrics and the limits (<c>Voice:MaxAudioBytes</c>, <c>Voice:MaxAudioSeconds</c>).</summary>
    public static IHostApplicationBuilder AddVoiceTurns(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<VoiceTurnOptions>().BindConfiguration("Voice").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<VoiceMetrics>();
        builder.Services.AddSingleton<SpokenReply>();
        return builder;
    }

    /// <summary>Maps <c>POST /api/voice</c>, behind the API key and the chat rate limit.</summary>
    public static IEndpointRouteBuilder MapVoiceTurns(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api").RequireAuthorization().WithTags("Voice")
            .MapPost("/voice", VoiceAsync).RequireRateLimiting(RateLimitPolicies.Chat)
            .Accepts<byte[]>("audio/wav")
            .WithSummary("A voice turn: a WAV in, the transcript, the reply and its speech out (JSON, or server-sent events with Accept: text/event-stream).");
        return app;
    }

    private static async Task<IResult> VoiceAsync(
        HttpContext context, string? language, string? userId, string? conversationId,
        VoiceClient voice, SpokenReply spoken, ChatService chat, ChatMetrics metrics, DrainState drain, IOptions<VoiceTurnOptions> options,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var sse = ServerSentEvents.IsRequested(context.Request);
        var channel = sse ? "voice-sse" : "voice";
        if (drain.IsDraining)
        {
            metrics.Request(channel, "rejected");
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Shutting down", detail: "The service is stopping; retry in a moment.");
        }

        var limits = options.Value;
        if (context.Request.ContentLength > limits.MaxAudioBytes)
        {
            metrics.Request(channel, "invalid");
            return TooLarge($"A recording may have at most {limits.MaxAudioBytes} bytes (Voice:MaxAudioBytes); this one has {context.Request.ContentLength}.");
        }

        var wav = await RequestBody.ReadAtMostAsync(context.Request, limits.MaxAudioBytes, cancellationToken);
        if (limits.Check(wav) is var (status, detail))
        {
            metrics.Request(channel, "invalid");
            return status == StatusCodes.Status413PayloadTooLarge ? TooLarge(detail) : TypedResults.Problem(statusCode: status, title: "Not a WAV recording", detail: detail);
        }

        language = string.IsNullOrWhiteSpace(language) ? "en" : language.Trim().ToLowerInvariant();
        VoiceTranscript transcript;
        try
        {
            transcript = await voice.TranscribeAsync(wav, language, cancellationToken);
        }
        catch (VoiceUnavailableException e)
        {
            metrics.Request(channel, "error");
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Voice unavailable",
                detail: $"The recording could not be transcribed: {e.Message} Type the message instead.");
        }
        catch (VoiceRejectedException e)
        {
            metrics.Request(channel, "invalid");
            return TypedResults.Problem(statusCode: e.Status, title: "Recording refused", detail: e.Message);
        }

        if (string.IsNullOrWhiteSpace(transcript.Text))
        {
            metrics.Request(channel, "invalid");
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "No speech recognised",
                detail: "No words were recognised in the recording; speak closer to the microphone, or type the message.");
        }

        var turn = ChatTurn.Of(userId, conversationId, transcript.Text);
        context.SetUserId(turn.UserId);
        var events = spoken.SpeakAsync(chat.RunAsync(turn, cancellationToken), language, started, cancellationToken);
        var requestId = context.GetRequestId();
        var traceId = Activity.Current?.TraceId.ToHexString();
        if (sse)
        {
            await StreamAsync(context, transcript, events, requestId, traceId, metrics, cancellationToken);
            return TypedResults.Empty;
        }

        List<byte[]> audio = [];
        try
        {
            await foreach (var item in events)
            {
                switch (item)
                {
                    case VoiceAudio sentence when sentence.Wav.Length > 44:
                        audio.Add(sentence.Wav);
                        break;
                    case VoiceDone done:
                        metrics.Request(channel, "ok");
                        return TypedResults.Ok(VoiceTurnResponse.From(transcript, done, requestId, traceId, audio.Count > 0 ? Convert.ToBase64String(Concat(audio)) : null));
                }
            }
        }
        catch (OllamaChatException e)
        {
            metrics.Request(channel, "error");
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The LLM failed", detail: e.Message);
        }
        catch (QuotaExceededException e)
        {
            metrics.Request(channel, "rejected");
            return e.ToProblem(context);
        }

        throw new InvalidOperationException("A voice turn ended without its final event.");
    }

    /// <summary>Events <c>transcript</c>, <c>token</c>…, <c>audio</c> per sentence as soon as it is spoken, then <c>done</c> (or <c>error</c>).</summary>
    private static async Task StreamAsync(
        HttpContext context, VoiceTranscript transcript, IAsyncEnumerable<VoiceEvent> events, string requestId, string? traceId, ChatMetrics metrics, CancellationToken cancellationToken)
    {
        ServerSentEvents.Start(context.Response);
        await ServerSentEvents.WriteAsync(context.Response, "transcript", new { text = transcript.Text, language = transcript.Language }, cancellationToken);
        try
        {
            await foreach (var item in events)
            {
                var (name, data) = item switch
                {
                    VoiceToken token => ("token", (object)new { text = token.Text }),
                    VoiceAudio sentence => ("audio", new { index = sentence.Index, text = sentence.Text, audio = Convert.ToBase64String(sentence.Wav) }),
                    VoiceDone done => ("done", VoiceTurnResponse.From(transcript, done, requestId, traceId, audio: null)),
                    _ => throw new InvalidOperationException($"Unknown voice event {item}."),
                };
                await ServerSentEvents.WriteAsync(context.Response, name, data, cancellationToken);
            }

            metrics.Request("voice-sse", "ok");
        }
        catch (OllamaChatException e)
        {
            metrics.Request("voice-sse", "error");
            await ServerSentEvents.WriteAsync(context.Response, "error", new { code = "llm_failed", message = e.Message }, cancellationToken);
        }
        catch (QuotaExceededException e)
        {
            // The transcript is already sent, so the refusal is the stream's last event.
            metrics.Request("voice-sse", "rejected");
            await ServerSentEvents.WriteAsync(context.Response, "error", new { code = "quota_exceeded", message = e.Message, resetAt = e.ResetAt }, cancellationToken);
        }
    }



    private static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Recording too large", detail: detail);

    /// <summary>The sentences' WAVs as one file: the first one's format, every one's samples.</summary>
    internal static byte[] Concat(IReadOnlyList<byte[]> wavs)
    {
        var total = 44 + wavs.Sum(w => w.Length - 44);
        var wav = new byte[total];
        wavs[0].AsSpan(0, 44).CopyTo(wav);
        var offset = 44;
        foreach (var sentence in wavs)
        {
            sentence.AsSpan(44).CopyTo(wav.AsSpan(offset));
            offset += sentence.Length - 44;
        }

        return VoiceClient.WithSizes(wav);
    }
}

/// <summary>The answer to a voice turn; <see cref="Audio"/> is the spoken reply (base64 WAV), or null with a <see cref="Note"/>.</summary>
public sealed record VoiceTurnResponse(
    string Transcript, string Reply, string ConversationId, string? RequestId, string? TraceId, string Responder,
    string? Audio, string? Note, ChatUsage Usage, ChatTimings Timings)
{
    internal static VoiceTurnResponse From(VoiceTranscript transcript, VoiceDone done, string? requestId, string? traceId, string? audio) =>
        new(transcript.Text, done.Chat.Reply, done.Chat.ConversationId, requestId, traceId, done.Chat.Responder, audio, done.Note, done.Chat.Usage, done.Chat.Timings);
}
