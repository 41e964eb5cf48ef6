namespace Jarvis.Voice.Engines;

/// <summary>The shape of PCM audio: samples per second, bytes per sample (2 for 16-bit) and channels.</summary>
public sealed record AudioFormat(int SampleRate, int SampleWidth, int Channels)
{
    /// <summary>What speech recognisers want: 16 kHz, 16-bit, mono.</summary>
    public static AudioFormat Speech16K { get; } = new(16_000, 2, 1);

    /// <summary>Bytes per second of audio in this format.</summary>
    public int BytesPerSecond => SampleRate * SampleWidth * Channels;
}

/// <summary>A whole PCM recording (little-endian samples, channels interleaved).</summary>
public sealed record PcmAudio(AudioFormat Format, ReadOnlyMemory<byte> Samples)
{
    /// <summary>How long the recording lasts.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / Format.BytesPerSecond);
}

/// <summary>Synthesised speech as it is produced: its format, then the PCM samples in chunks.</summary>
public sealed record SpeechAudio(AudioFormat Format, IAsyncEnumerable<ReadOnlyMemory<byte>> Samples);
