using System.ComponentModel;
using System.Diagnostics;
using Jarvis.Voice.Audio;
using Jarvis.Voice.Engines;
using Jarvis.Voice.Model;
using Jarvis.Voice.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Jarvis.Voice.Apis;

/// <summary>Speech in and out: <c>/api/tts</c>, <c>/api/stt</c> and <c>/api/voices</c>.</summary>
public static class VoiceApi
{
    /// <summary>The longest text <c>/api/tts</c> speaks.</summary>
    public const int MaxTextLength = 2_000;

    /// <summary>Maps the voice routes under <c>/api</c>.</summary>
    public static RouteGroupBuilder MapVoiceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Voice");
        api.MapPost("/tts", SpeakAsync).WithName("Speak").WithSummary("Speak text: a 16-bit mono WAV streamed as it is synthesised.");
        api.MapPost("/stt", TranscribeAsync).WithName("Transcribe").WithSummary("Transcribe a PCM WAV recording (body or first form file).").DisableAntiforgery();
        api.MapGet("/voices", GetVoicesAsync).WithName("Voices").WithSummary("The engines, voices and languages available now.");
        return api;
    }

    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> SpeakAsync(
        [Description("The text, voice, language (en, fr…) and rate.")] SpeakRequest request,
        [AsParameters] VoiceServices services,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Text) || request.Text.Length > MaxTextLength)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid text",
                detail: string.IsNullOrWhiteSpace(request.Text) ? "The text is empty." : $"The text has {request.Text.Length} characters; at most {MaxTextLength} are spoken.");
        }

        if (request.Rate is < 0.25 or > 4 or double.NaN)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid rate",
                detail: $"The rate is {request.Rate}; it must be between 0.25 and 4 (1 = normal).");
        }

        var language = request.Language ?? "en";
        var (engine, reason) = await services.Selector.SelectSpeakerAsync(language, request.Voice, cancellationToken);
        if (engine is null)
        {
            return Unavailable(reason);
        }

        var slot = await services.Gate.EnterAsync(engine.Name, cancellationToken);
        if (slot is null)
        {
            return Busy(engine.Name, services.Options.Value);
        }

        var activity = VoiceTelemetry.StartActivity("tts", engine.Name, language);
        var started = Stopwatch.GetTimestamp();
        SpeechAudio speech;
        try
        {
            speech = await engine.SynthesizeAsync(new SynthesisRequest(request.Text, language, request.Voice, request.Rate), cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            slot.Dispose();
            activity?.Dispose();
            services.Log.EngineFailed(engine.Name, e.Message);
            return Unavailable($"{engine.Name} failed: {e.Message}");
        }

        return TypedResults.Stream(async body =>
        {
            using var _ = slot;
            using var __ = activity;
            long bytes = 0;

            // The engine's chunks are read before the header is written: once started, disposing the enumerator always
            // runs the engine's clean-up (process, temp files), even when the client has gone.
            await using var chunks = speech.Samples.GetAsyncEnumerator(cancellationToken);
            var more = await chunks.MoveNextAsync();
            await body.WriteAsync(WavWriter.Header(speech.Format), cancellationToken);
            for (; more; more = await chunks.MoveNextAsync())
            {
                await body.WriteAsync(chunks.Current, cancellationToken);
                await body.FlushAsync(cancellationToken);
                bytes += chunks.Current.Length;
            }

            var audio = TimeSpan.FromSeconds((double)bytes / speech.Format.BytesPerSecond);
            services.Telemetry.Record(activity, "tts", engine.Name, Stopwatch.GetElapsedTime(started), audio);
        }, "audio/wav");
    }

    private static async Task<Results<Ok<TranscriptionResponse>, ProblemHttpResult>> TranscribeAsync(
        HttpRequest request,
        [Description("A language hint (en…); default en.")] string? language,
        [AsParameters] VoiceServices services,
        CancellationToken cancellationToken)
    {
        var (audio, problem) = await AudioUpload.ReadAsync(request, services.Options.Value, cancellationToken);
        if (audio is null)
        {
            return problem!;
        }

        language ??= "en";
        var (engine, reason) = await services.Selector.SelectRecogniserAsync(language, cancellationToken);
        if (engine is null)
        {
            return Unavailable(reason);
        }

        using var slot = await services.Gate.EnterAsync(engine.Name, cancellationToken);
        if (slot is null)
        {
            return Busy(engine.Name, services.Options.Value);
        }

        using var activity = VoiceTelemetry.StartActivity("stt", engine.Name, language);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var transcript = await engine.TranscribeAsync(audio, language, cancellationToken);
            services.Telemetry.Record(activity, "stt", engine.Name, Stopwatch.GetElapsedTime(started), audio.Duration);
            return TypedResults.Ok(new TranscriptionResponse(transcript.Text, transcript.Language, transcript.Confidence, (long)audio.Duration.TotalMilliseconds, engine.Name));
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            services.Log.EngineFailed(engine.Name, e.Message);
            return Unavailable($"{engine.Name} failed: {e.Message}");
        }
    }

    private static async Task<Ok<VoicesResponse>> GetVoicesAsync(
        IEnumerable<ITextToSpeechEngine> speakers, IEnumerable<ISpeechToTextEngine> recognisers, CancellationToken cancellationToken)
    {
        List<EngineVoices> voices = [];
        foreach (var engine in speakers)
        {
            if (await engine.GetVoicesAsync(cancellationToken) is { Count: > 0 } available)
            {
                voices.Add(new EngineVoices(engine.Name, available));
            }
        }

        List<EngineLanguages> languages = [];
        foreach (var engine in recognisers)
        {
            if (await engine.CheckAvailableAsync(cancellationToken) is null)
            {
                languages.Add(new EngineLanguages(engine.Name, engine.Languages));
            }
        }

        return TypedResults.Ok(new VoicesResponse(voices, languages));
    }

    private static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Voice engine unavailable", detail: detail);

    private static ProblemHttpResult Busy(string engine, VoiceOptions options) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Voice engine busy",
            detail: $"{engine} is running {options.MaxConcurrency} requests (Voice:MaxConcurrency) and none finished within {options.QueueTimeout.TotalSeconds:0.###} s (Voice:QueueTimeout).");
}
