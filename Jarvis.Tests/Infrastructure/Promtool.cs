using System.Diagnostics;

namespace Jarvis.Tests.Infrastructure;

/// <summary>Prometheus's own checker (<c>promtool</c>, Debian's prometheus package, installed by test.sh).</summary>
public static class Promtool
{
    public const string Path = "/usr/bin/promtool";

    /// <summary>
    /// Checks a text exposition. Exit code 1 is a parse error; 3 is lint advice only (such as the runtime's own
    /// <c>dotnet_timer_count</c> gauge ending in <c>_count</c>), one finding per line.
    /// </summary>
    public static Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition, CancellationToken cancellationToken) =>
        RunAsync(["check", "metrics"], exposition, cancellationToken);

    /// <summary>Runs <c>promtool ARGUMENTS</c> (for example <c>check rules FILE</c>); its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, string? input, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"{Path} is missing: install Debian's prometheus package (apt-get install prometheus; test.sh does).");
        }

        var start = new ProcessStartInfo(Path, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
