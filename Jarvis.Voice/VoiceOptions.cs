using System.ComponentModel.DataAnnotations;

namespace Jarvis.Voice;

/// <summary>Limits and engine locations, bound to the <c>Voice</c> section and validated at start.</summary>
public sealed class VoiceOptions
{
    /// <summary>The largest audio body accepted by <c>/api/stt</c>, in bytes.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxAudioBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The longest recording accepted by <c>/api/stt</c>, in seconds.</summary>
    [Range(1, 3600)]
    public int MaxAudioSeconds { get; set; } = 60;

    /// <summary>How many requests one engine runs at once.</summary>
    [Range(1, 1024)]
    public int MaxConcurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>How long a request waits for a busy engine before a 503.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The flite executable (English, voice <c>slt</c>).</summary>
    public EngineOptions Flite { get; set; } = new() { Executable = "flite" };

    /// <summary>The espeak-ng executable (French and other languages).</summary>
    public EngineOptions EspeakNg { get; set; } = new() { Executable = "espeak-ng" };

    /// <summary>The pocketsphinx executable and its en-us model directory.</summary>
    public EngineOptions Pocketsphinx { get; set; } = new() { Executable = "pocketsphinx_continuous", ModelDirectory = "/usr/share/pocketsphinx/model/en-us" };
}

/// <summary>Where a local engine lives: its executable (a name on PATH or a path) and, for recognisers, its model.</summary>
public sealed class EngineOptions
{
    /// <summary>A name looked up on PATH, or a path.</summary>
    [Required]
    public string Executable { get; set; } = "";

    /// <summary>The model directory, for engines that need one.</summary>
    public string? ModelDirectory { get; set; }
}
