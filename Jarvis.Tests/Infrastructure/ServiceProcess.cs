using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Jarvis.Tests.Infrastructure;

/// <summary>A built Jarvis service started as a child process on a free loopback port, its console captured.</summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private int _disposed;

    private ServiceProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
    }

    public Uri BaseAddress { get; }

    public IReadOnlyCollection<string> Output => _output;

    public bool HasExited => _process.HasExited;

    /// <summary>The process id, for /proc and signals.</summary>
    public int Pid => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="project"/> on <paramref name="port"/> (a restart keeps its address), else on a free port.</summary>
    public static ServiceProcess Start(string project, string environment, IDictionary<string, string>? variables = null, int? port = null)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{port ?? FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.Combine(RepositoryPaths.Root, project),
        };
        start.ArgumentList.Add(RepositoryPaths.ProjectAssembly(project));
        start.Environment["ASPNETCORE_URLS"] = baseAddress.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (key, value) in variables ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var service = new ServiceProcess(process, baseAddress);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

    public async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        await Eventually.TrueAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {_process.ExitCode}:\n{string.Join('\n', _output)}");
            }

            try
            {
                return (await client.GetAsync("/health", cancellationToken)).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"{BaseAddress} to be healthy", cancellationToken, TimeSpan.FromSeconds(60));
    }

    /// <summary>Sends SIGTERM, as a container runtime or Ctrl+C does, and waits for the process to exit.</summary>
    public async Task<int> TerminateAsync(CancellationToken cancellationToken)
    {
        if (Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        // Once is enough: a test may kill the service itself and its fixture dispose it again.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
