using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Hosting.Containers;

/// <summary>The built Jarvis.AppHost run as a child process (<c>dotnet Jarvis.AppHost.dll</c>), its console captured.</summary>
public sealed partial class AppHostProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    /// <summary>Variables of the test's environment that would steer the app host away from what a test sets up.</summary>
    private static readonly string[] InheritedVariablesToDrop =
    [
        "ASPIRE_CONTAINER_RUNTIME", "AppHost__ContainerRuntime", "ConnectionStrings__qdrant", "ConnectionStrings__qdrant_http",
        "ConnectionStrings__ollama", "ConnectionStrings__stt", "ConnectionStrings__tts", "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL",
        "DOTNET_DASHBOARD_OTLP_ENDPOINT_URL", "DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "OTEL_EXPORTER_OTLP_ENDPOINT",
    ];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AppHostProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
    }

    public int Id => _process.Id;

    public IReadOnlyCollection<string> Output => _output;

    public bool HasExited => _process.HasExited;

    public static AppHostProcess Start(IReadOnlyDictionary<string, string> variables, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.Combine(RepositoryPaths.Root, "Jarvis.AppHost"),
        };
        start.ArgumentList.Add(RepositoryPaths.ProjectAssembly("Jarvis.AppHost"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in InheritedVariablesToDrop)
        {
            start.Environment.Remove(name);
        }

        foreach (var (key, value) in variables)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var appHost = new AppHostProcess(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return appHost;
    }

    /// <summary>The app host's child processes (the services) whose command line mentions <paramref name="text"/>.</summary>
    public IReadOnlyList<int> ChildProcesses(string text) => [.. ChildProcessIds(_process.Id).Where(pid => CommandLine(pid).Contains(text, StringComparison.Ordinal))];

    /// <summary>A process's environment, read from <c>/proc/PID/environ</c>.</summary>
    public static Dictionary<string, string> EnvironmentOf(int pid) =>
        File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .GroupBy(pair => pair[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().ElementAtOrDefault(1) ?? "", StringComparer.Ordinal);

    /// <summary>Sends SIGTERM, as Ctrl+C or a service manager does, and waits (30 s at most) for the app host to exit.</summary>
    public async Task<int> TerminateAsync(CancellationToken cancellationToken)
    {
        if (Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The app host did not exit within 30 s of SIGTERM. Its output:\n{string.Join('\n', _output)}");
        }

        return _process.ExitCode;
    }

    /// <summary>
    /// Kills the app host alone if it still runs: its services follow it (parent-death signal) and its container
    /// watchdogs remove the containers, as after any crash.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static IEnumerable<int> ChildProcessIds(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;
            }

            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid) && ppid == parent)
            {
                yield return pid;
            }
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    private void Capture(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
