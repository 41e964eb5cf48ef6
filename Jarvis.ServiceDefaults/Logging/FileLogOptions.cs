namespace Jarvis.ServiceDefaults.Logging;

/// <summary>The optional rotating JSON file log (section <c>Logging:File</c>); off unless <see cref="Path"/> is set.</summary>
public sealed class FileLogOptions
{
    /// <summary>
    /// The log file, relative to the content root, e.g. <c>logs/api-.log</c>: Serilog's file sink adds the date before
    /// the extension (<c>logs/api-20261203.log</c>) and starts a new file every day.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>How many daily files are kept (default 14); older ones are deleted.</summary>
    public int RetainedFiles { get; set; } = 14;
}
