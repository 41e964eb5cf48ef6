using System.Diagnostics;
using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting.Orchestration;

/// <summary>The run-mode state of one resource: its process or container, and what must be cancelled to stop it.</summary>
internal sealed class ResourceRun(Resource resource)
{
    public Resource Resource { get; } = resource;

    /// <summary>Serialises start, stop and restart of this resource.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Cancelled when the current run is stopped: ends waits, health checks and downloads.</summary>
    public CancellationTokenSource? Lifetime { get; set; }

    public Process? Process { get; set; }

    public string? ContainerName { get; set; }

    /// <summary>The environment the current run started with, secrets in clear: only the dashboard's reveal reads it.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>();

    /// <summary>The processes that follow a container (its log stream and the watchdog that removes it if the app host dies).</summary>
    public List<Process> Helpers { get; } = [];

    /// <summary>Completes when the current process or container has exited.</summary>
    public Task Exited { get; set; } = Task.CompletedTask;

    /// <summary>True while the app host itself is stopping the resource, so its exit is not a failure.</summary>
    public bool StopRequested { get; set; }
}
