using System.ComponentModel.DataAnnotations;

namespace Jarvis.Hosting.Orchestration;

/// <summary>Run-mode settings, bound from the <c>AppHost</c> configuration section.</summary>
public sealed class OrchestratorOptions
{
    /// <summary>Echo every resource's output to the console with a <c>[name]</c> prefix (<c>--verbose</c>).</summary>
    public bool Verbose { get; set; }

    /// <summary>Print the status table on the console. The testing builder turns it off.</summary>
    public bool ConsoleStatus { get; set; } = true;

    /// <summary>Give every endpoint a free port instead of its launch profile's (the testing builder turns it on).</summary>
    public bool RandomizePorts { get; set; }

    /// <summary>Save generated secret parameters to the app host's user secrets (the testing builder turns it off).</summary>
    public bool PersistGeneratedParameters { get; set; } = true;

    /// <summary>Lines of console output kept per resource.</summary>
    [Range(10, 1_000_000)]
    public int LogLinesPerResource { get; set; } = 5000;

    /// <summary>How long a resource has to exit after SIGTERM before it is killed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a healthy resource is checked again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HealthyCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between checks of an unhealthy resource (the wait doubles from 100 ms up to this).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan UnhealthyCheckMaxInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The dashboard's OTLP/gRPC endpoint; when set, every process exports its telemetry there.</summary>
    public Uri? DashboardOtlpEndpoint { get; set; }

    /// <summary>The dashboard's OTLP/HTTP endpoint, used when no gRPC endpoint is set.</summary>
    public Uri? DashboardOtlpHttpEndpoint { get; set; }

    /// <summary>The API key sent as <c>x-otlp-api-key</c> to the dashboard's OTLP endpoint.</summary>
    public string? OtlpApiKey { get; set; }

    /// <summary>The container CLI, <c>docker</c> or <c>podman</c>; read from <c>ASPIRE_CONTAINER_RUNTIME</c> when unset.</summary>
    public string? ContainerRuntime { get; set; }
}
