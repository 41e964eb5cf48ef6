using Jarvis.Voice.Audio;
using Jarvis.Voice.Engines;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Jarvis.Voice.Apis;

/// <summary>Reads the recording of <c>POST /api/stt</c>: a WAV body or the first file of a form, within the limits.</summary>
internal static class AudioUpload
{
    private static readonly string[] s_wavTypes = ["audio/wav", "audio/x-wav", "audio/wave"];

    /// <summary>The audio, or the problem (400, 413, 415) saying what is wrong with the upload.</summary>
    public static async Task<(PcmAudio? Audio, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, VoiceOptions limits, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limits.MaxAudioBytes)
        {
            return (null, TooLarge($"The upload is {request.ContentLength} bytes; the limit is {limits.MaxAudioBytes} (Voice:MaxAudioBytes)."));
        }

        byte[] wav;
        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value ?? "" : "";
        if (s_wavTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limits.MaxAudioBytes)
                {
                    return (null, TooLarge($"The upload is over the {limits.MaxAudioBytes}-byte limit (Voice:MaxAudioBytes)."));
                }

                buffer.Write(chunk, 0, read);
            }

            wav = buffer.ToArray();
        }
        else if (request.HasFormContentType && mediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(cancellationToken);
            }
            catch (Exception e) when (e is InvalidDataException || (e is IOException && !request.HttpContext.RequestAborted.IsCancellationRequested))
            {
                // No boundary, a body that ends before its closing boundary, a part over the form limits: the client's mistake.
                return (null, BadRequest($"The form is not valid multipart/form-data: {e.Message}"));
            }

            if (form.Files.Count == 0)
            {
                return (null, BadRequest("The form has no file part; send the recording as its first file."));
            }

            var file = form.Files[0];
            if (file.Length > limits.MaxAudioBytes)
            {
                return (null, TooLarge($"The file is {file.Length} bytes; the limit is {limits.MaxAudioBytes} (Voice:MaxAudioBytes)."));
            }

            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, cancellationToken);
            wav = buffer.ToArray();
        }
        else
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: $"Send a WAV body (audio/wav, audio/x-wav, audio/wave) or multipart/form-data, not '{request.ContentType}'."));
        }

        try
        {
            var audio = WavReader.Read(wav);
            return audio.Duration.TotalSeconds > limits.MaxAudioSeconds
                ? (null, TooLarge($"The recording lasts {audio.Duration.TotalSeconds:0.#} s; the limit is {limits.MaxAudioSeconds} s (Voice:MaxAudioSeconds)."))
                : (audio, null);
        }
        catch (WavFormatException e)
        {
            return (null, BadRequest(e.Message));
        }
    }

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid audio", detail: detail);

    private static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Audio too large", detail: detail);
}
