using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Jarvis.Api.Voice;

/// <summary>The typed client of Jarvis.Voice: speech to text (<c>POST /api/stt</c>), text to speech (<c>POST /api/tts</c>), and whether it answers.</summary>
/// <param name="httpClient">The client, whose resilience pipeline bounds each request until its headers.</param>
/// <param name="bodyTimeout">
/// How long an answer's body may take once its headers came (default 30 s): a spoken sentence streams its WAV, and a
/// voice service that stalls mid-body must not hold a turn until the user gives up.
/// </param>
public sealed class VoiceClient(HttpClient httpClient, TimeSpan? bodyTimeout = null)
{
    /// <summary>The default of the body timeout: many times what a sentence or a transcript takes.</summary>
    public static readonly TimeSpan DefaultBodyTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _httpClient = httpClient ?? throw new ArgumentNullException(nameof(httpClient));
    private readonly TimeSpan _bodyTimeout = bodyTimeout ?? DefaultBodyTimeout;

    /// <summary>Null when Jarvis.Voice answers <c>GET /alive</c>; otherwise why not, in words a person can act on.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<string?> CheckAliveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await _httpClient.GetAsync(new Uri("alive", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"Voice at {_httpClient.BaseAddress} answered {(int)response.StatusCode} to GET /alive.";
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            // As for a turn: an open circuit or a Polly timeout is as unreachable as a refused connection.
            return $"Voice at {_httpClient.BaseAddress} cannot be reached: {e.Message}";
        }
    }

    /// <summary>The transcript of a 16-bit PCM WAV recording.</summary>
    /// <exception cref="VoiceRejectedException">Voice refused the audio (not a WAV it reads, too long, too large).</exception>
    /// <exception cref="VoiceUnavailableException">Voice cannot be reached, or has no engine for <paramref name="language"/>.</exception>
    public async Task<VoiceTranscript> TranscribeAsync(ReadOnlyMemory<byte> wav, string language, CancellationToken cancellationToken = default)
    {
        using var content = new ReadOnlyMemoryContent(wav);
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"api/stt?language={Uri.EscapeDataString(language)}") { Content = content }, cancellationToken);
        return await ReadAsync(token => response.Content.ReadFromJsonAsync<VoiceTranscript>(token), cancellationToken)
            ?? throw new VoiceUnavailableException("Voice answered /api/stt with an empty body.");
    }

    /// <summary>The WAV of <paramref name="text"/> spoken in <paramref name="language"/>, its header giving the real sizes.</summary>
    /// <exception cref="VoiceUnavailableException">Voice cannot be reached, or has no voice for <paramref name="language"/>.</exception>
    public async Task<byte[]> SpeakAsync(string text, string language, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/tts") { Content = JsonContent.Create(new { text, language }) };
        using var response = await SendAsync(request, cancellationToken);
        return WithSizes(await ReadAsync(response.Content.ReadAsByteArrayAsync, cancellationToken));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            using (request)
            {
                response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw new VoiceUnavailableException($"Voice at {_httpClient.BaseAddress} cannot be reached: {e.Message}", e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var detail = await ProblemDetailAsync(response, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnsupportedMediaType or HttpStatusCode.UnprocessableEntity)
            {
                throw new VoiceRejectedException((int)response.StatusCode, detail);
            }

            throw new VoiceUnavailableException($"Voice answered {(int)response.StatusCode}: {detail}");
        }
    }

    private async Task<T> ReadAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_bodyTimeout);
        try
        {
            return await read(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new VoiceUnavailableException($"Voice at {_httpClient.BaseAddress} stalled mid-answer: no end after {_bodyTimeout.TotalSeconds:0.#} s.", e);
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw new VoiceUnavailableException($"Voice at {_httpClient.BaseAddress} failed mid-answer: {e.Message}", e);
        }
    }

    // Connection failures, timeouts (the caller's cancellation aside), an open circuit (Polly's exceptions), a body cut
    // short or not the JSON expected: all mean voice is unavailable now. Programming errors pass through.
    private static bool IsUnreachable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        ArgumentException or NullReferenceException or ObjectDisposedException or InvalidOperationException => false,
        _ => true,
    };

    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            return problem.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String
                ? detail.GetString()!
                : response.ReasonPhrase ?? "no detail";
        }
        catch (JsonException)
        {
            return response.ReasonPhrase ?? "no detail";
        }
    }

    /// <summary>
    /// Writes the real sizes into a canonical 44-byte WAV header: Voice streams its WAV, so the header says "unknown
    /// length", and a whole file for a browser must say how long it is.
    /// </summary>
    internal static byte[] WithSizes(byte[] wav)
    {
        if (wav.Length >= 44 && wav.AsSpan(0, 4).SequenceEqual("RIFF"u8) && wav.AsSpan(36, 4).SequenceEqual("data"u8))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(4), (uint)(wav.Length - 8));
            BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(40), (uint)(wav.Length - 44));
        }

        return wav;
    }
}

/// <summary>What Jarvis.Voice heard.</summary>
/// <param name="Text">The transcript; empty when no speech was recognised.</param>
/// <param name="Language">The language it was heard in.</param>
/// <param name="Confidence">The engine's confidence, when it gives one.</param>
/// <param name="DurationMs">The recording's length.</param>
/// <param name="Engine">The engine that transcribed it.</param>
public sealed record VoiceTranscript(string Text, string Language, double? Confidence, long DurationMs, string Engine);

/// <summary>Jarvis.Voice cannot serve the request now (down, unreachable, no engine, busy).</summary>
public sealed class VoiceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VoiceUnavailableException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}

/// <summary>Jarvis.Voice refused the audio itself; <see cref="Status"/> is its status (400, 413, 415, 422).</summary>
public sealed class VoiceRejectedException(int status, string message) : Exception(message)
{
    /// <summary>Voice's HTTP status.</summary>
    public int Status { get; } = status;
}
