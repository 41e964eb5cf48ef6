using System.Buffers.Binary;
using System.ComponentModel.DataAnnotations;

namespace Jarvis.Api.Voice;

/// <summary>The limits of a voice message (section <c>Voice</c>, the same keys Jarvis.Voice reads).</summary>
public sealed class VoiceTurnOptions
{
    /// <summary>The largest recording accepted, in bytes (default 10 MiB, as Jarvis.Voice).</summary>
    [Range(1024, 512 * 1024 * 1024)]
    public int MaxAudioBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The longest recording accepted, in seconds (default 60, as Jarvis.Voice).</summary>
    [Range(1, 3600)]
    public int MaxAudioSeconds { get; set; } = 60;

    /// <summary>Why <paramref name="wav"/> is refused, with its status: 413 too large or too long, 400 not a WAV; or null.</summary>
    public (int Status, string Detail)? Check(ReadOnlySpan<byte> wav)
    {
        if (wav.Length > MaxAudioBytes)
        {
            return (StatusCodes.Status413PayloadTooLarge, $"A recording may have at most {MaxAudioBytes} bytes (Voice:MaxAudioBytes); this one has {wav.Length}.");
        }

        if (wav.Length < 44 || !wav[..4].SequenceEqual("RIFF"u8) || !wav[8..12].SequenceEqual("WAVE"u8))
        {
            return (StatusCodes.Status400BadRequest, "The recording is not a WAV file (RIFF/WAVE, 16-bit PCM).");
        }

        var bytesPerSecond = BinaryPrimitives.ReadInt32LittleEndian(wav[28..]);
        if (bytesPerSecond > 0 && (double)(wav.Length - 44) / bytesPerSecond > MaxAudioSeconds)
        {
            return (StatusCodes.Status413PayloadTooLarge, $"A recording may last at most {MaxAudioSeconds} s (Voice:MaxAudioSeconds); this one lasts {(double)(wav.Length - 44) / bytesPerSecond:0.#} s.");
        }

        return null;
    }
}
