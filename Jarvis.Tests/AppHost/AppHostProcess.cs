using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.AppHost;

/// <summary>
/// The built app host run as a process, as <c>dotnet run --project Jarvis.AppHost</c> runs it (its http launch profile's
/// settings, on free ports), without containers. SIGINT is restored to its default first: a runner started in the
/// background by a shell hands its children SIGINT ignored, and Ctrl+C is what the test sends.
/// </summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private static readonly string[] Services = ["api", "memory", "voice"];

    private readonly Process _process;

    private AppHostProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public static AppHostProcess Start()
    {
        var start = new ProcessStartInfo("python3")
        {
            WorkingDirectory = Path.Combine(RepositoryPaths.Root, "Jarvis.AppHost"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[
            "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])",
            "dotnet", RepositoryPaths.ProjectAssembly("Jarvis.AppHost"),
            "--Jarvis:Containers=never", "--DcpPublisher:RandomizePorts=true", "--Parameters:jarvis-api-key=process-test-key"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = $"http://localhost:{FreePort()}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{FreePort()}";
        start.Environment["ASPIRE_DASHBOARD_MCP_ENDPOINT_URL"] = $"http://localhost:{FreePort()}";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{FreePort()}";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new AppHostProcess(process);
    }

    /// <summary>Waits until api, memory and voice answer /health with 200; returns every process the app host started.</summary>
    public async Task<List<ProcessInfo>> WaitUntilServicesAreHealthyAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The app host exited with {_process.ExitCode} before its services were healthy.");
            }

            var urls = Started()
                .Select(p => TryEnvironment(p.Pid))
                .Where(e => e.TryGetValue("OTEL_SERVICE_NAME", out var name) && Services.Contains(name) && e.ContainsKey("ASPNETCORE_URLS"))
                .Select(e => (Name: e["OTEL_SERVICE_NAME"], Url: e["ASPNETCORE_URLS"].Split(';')[0]))
                .DistinctBy(s => s.Name)
                .ToList();
            if (urls.Count == Services.Length && await AllHealthyAsync(client, urls.Select(u => u.Url), cancellationToken))
            {
                return Started();
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>
    /// Every process the app host started: its own children, and DCP, which detaches from it (its parent becomes init)
    /// and watches it with <c>--monitor PID</c>, with DCP's children (the dashboard and the services).
    /// </summary>
    public List<ProcessInfo> Started()
    {
        var dcp = LinuxProcesses.Descendants(1).Where(p => p.CommandLine.Contains($"--monitor {Pid} ", StringComparison.Ordinal)).ToList();
        return [.. LinuxProcesses.Descendants(Pid), .. dcp, .. dcp.SelectMany(p => LinuxProcesses.Descendants(p.Pid))];
    }

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            var survivors = Started();
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            LinuxProcesses.KillSurvivors(survivors);
        }

        _process.Dispose();
    }

    private static async Task<bool> AllHealthyAsync(HttpClient client, IEnumerable<string> urls, CancellationToken cancellationToken)
    {
        foreach (var url in urls)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(new Uri(url), "/health"), cancellationToken);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        return true;
    }

    private static Dictionary<string, string> TryEnvironment(int pid)
    {
        try
        {
            return LinuxProcesses.ReadEnvironment(pid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
