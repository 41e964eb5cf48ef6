using System.Diagnostics;
using System.Text;

namespace Jarvis.Voice.Engines;

/// <summary>Starts local engines as processes (no shell: arguments as a list) and finds their executables.</summary>
public static class EngineProcess
{
    /// <summary>Starts <paramref name="executable"/> with stdin, stdout and stderr redirected; stderr is kept for errors.</summary>
    public static Process Start(string executable, IEnumerable<string> arguments, StringBuilder stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{executable} did not start.");
        process.ErrorDataReceived += (_, e) =>
        {
            // Drained so a chatty engine never blocks on a full pipe; the tail explains a failure.
            lock (stderr)
            {
                if (e.Data is not null && stderr.Length < 4096)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Kills the process tree if it is still running (a cancelled or failed request).</summary>
    public static void Stop(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    /// <summary>Null when <paramref name="executable"/> is a file or found on PATH; otherwise what to install.</summary>
    public static string? CheckExecutable(string engine, string executable, string package)
    {
        ArgumentNullException.ThrowIfNull(executable);
        var found = executable.Contains('/', StringComparison.Ordinal)
            ? File.Exists(executable)
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Any(dir => File.Exists(Path.Combine(dir, executable)));
        return found ? null : $"{engine}: '{executable}' was not found; install the Debian package '{package}' (apt-get install {package}).";
    }
}
