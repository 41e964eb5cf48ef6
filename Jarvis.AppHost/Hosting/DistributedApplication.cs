using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Jarvis.AppHost.Hosting;

/// <summary>
/// Builds the projects once, runs each as a child process on a loopback port with Aspire's environment conventions,
/// starts them in dependency order, waits for their health, and stops them in reverse order on Ctrl+C or SIGTERM.
/// </summary>
public sealed class DistributedApplication(IReadOnlyList<ProjectResource> resources, bool verbose)
{
    private static readonly TimeSpan s_healthTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(15);

    private readonly List<(ProjectResource Resource, Process Process)> _running = [];
    private readonly string _root = FindRepositoryRoot();

    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(args);

    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task RunAsync()
    {
        using var stopping = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

        try
        {
            await BuildProjectsAsync(stopping.Token);
            foreach (var resource in InStartOrder())
            {
                foreach (var dependency in resource.WaitsFor)
                {
                    Console.WriteLine($"  {resource.Name,-8} waiting for {dependency.Name}");
                    await WaitUntilHealthyAsync(dependency, stopping.Token);
                }

                Start(resource);
            }

            foreach (var (resource, _) in _running)
            {
                await WaitUntilHealthyAsync(resource, stopping.Token);
            }

            PrintStatus();
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            await StopAllAsync();
        }

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }
    }

    private async Task BuildProjectsAsync(CancellationToken cancellationToken)
    {
        foreach (var resource in resources)
        {
            Console.WriteLine($"Building {resource.Project}...");
            var build = Process.Start(new ProcessStartInfo("dotnet", ["build", ProjectFile(resource), "-c", "Debug", "-nologo", "-v", "quiet"])
            {
                WorkingDirectory = _root,
            })!;
            await build.WaitForExitAsync(cancellationToken);
            if (build.ExitCode != 0)
            {
                throw new InvalidOperationException($"Building {resource.Project} failed (exit code {build.ExitCode}).");
            }
        }
    }

    private void Start(ProjectResource resource)
    {
        resource.Url = new Uri($"http://localhost:{resource.Port ?? FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.Combine(_root, resource.Project),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(_root, resource.Project, "bin", "Debug", "net10.0", resource.Project + ".dll"));
        start.Environment["ASPNETCORE_URLS"] = resource.Url.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["OTEL_SERVICE_NAME"] = resource.Name;
        start.Environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={Guid.NewGuid():N}";
        foreach (var reference in resource.References)
        {
            start.Environment[$"services__{reference.Name}__http__0"] = reference.Url?.ToString();
            start.Environment[$"{reference.Name.ToUpperInvariant()}_HTTP"] = reference.Url?.ToString();
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Echo(resource, e.Data);
        process.ErrorDataReceived += (_, e) => Echo(resource, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _running.Add((resource, process));
        Console.WriteLine($"  {resource.Name,-8} starting on {resource.Url}");
    }

    private void Echo(ProjectResource resource, string? line)
    {
        if (verbose && line is not null)
        {
            Console.WriteLine($"[{resource.Name}] {line}");
        }
    }

    private async Task WaitUntilHealthyAsync(ProjectResource resource, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + s_healthTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var process = _running.FirstOrDefault(r => r.Resource == resource).Process;
            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"{resource.Name} exited with code {process.ExitCode} before it was healthy. Run with --verbose to see its output.");
            }

            try
            {
                if (resource.Url is not null && (await client.GetAsync(new Uri(resource.Url, "/health"), cancellationToken)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new TimeoutException($"{resource.Name} was not healthy within {s_healthTimeout.TotalSeconds} s.");
    }

    private void PrintStatus()
    {
        Console.WriteLine();
        Console.WriteLine($"  {"RESOURCE",-10}{"STATE",-10}{"HEALTH",-10}URL");
        foreach (var (resource, _) in _running)
        {
            Console.WriteLine($"  {resource.Name,-10}{"Running",-10}{"Healthy",-10}{resource.Url}");
        }

        Console.WriteLine();
        Console.WriteLine("Press Ctrl+C to stop.");
    }

    private async Task StopAllAsync()
    {
        for (var i = _running.Count - 1; i >= 0; i--)
        {
            var (resource, process) = _running[i];
            if (process.HasExited)
            {
                continue;
            }

            Console.WriteLine($"  {resource.Name,-8} stopping");
            using var timeout = new CancellationTokenSource(s_stopTimeout);
            try
            {
                // SIGTERM lets the service drain and exit; it is killed only if it overruns the timeout.
                _ = Terminate(process.Id);
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private List<ProjectResource> InStartOrder()
    {
        var ordered = new List<ProjectResource>();
        void Visit(ProjectResource resource)
        {
            if (ordered.Contains(resource))
            {
                return;
            }

            foreach (var dependency in resource.WaitsFor.Concat(resource.References))
            {
                Visit(dependency);
            }

            ordered.Add(resource);
        }

        foreach (var resource in resources)
        {
            Visit(resource);
        }

        return ordered;
    }

    private string ProjectFile(ProjectResource resource) => Path.Combine(_root, resource.Project, resource.Project + ".csproj");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Jarvis.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run the AppHost from the Jarvis repository (Jarvis.sln not found).");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Terminate(int pid, int signal = 15);
}
