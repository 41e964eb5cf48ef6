using Microsoft.Extensions.Logging.Console;

namespace Jarvis.ServiceDefaults.Logging;

/// <summary>Options shared by the Jarvis console formatters.</summary>
public sealed class JarvisConsoleFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>The <c>component</c> written on every record that does not carry its own; defaults to the service name.</summary>
    public string? Component { get; set; }
}
