using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Jarvis.Hosting.Orchestration;

/// <summary>What is known about a resource at one moment: the unit of resource notifications and of the dashboard.</summary>
public sealed record ResourceSnapshot
{
    /// <summary>The resource name.</summary>
    public required string Name { get; init; }

    /// <summary>Project, Container, Executable, Parameter, OllamaModel…</summary>
    public required string ResourceType { get; init; }

    /// <summary>One of <see cref="KnownResourceStates"/>, or a progress text such as <c>Downloading 42%</c>.</summary>
    public string State { get; init; } = KnownResourceStates.NotStarted;

    /// <summary>Why the resource is in its state (a failure, a missing container engine), for a person to read.</summary>
    public string? StateReason { get; init; }

    /// <summary>Null until the first health check has answered; Healthy for a running resource without checks.</summary>
    public HealthStatus? HealthStatus { get; init; }

    /// <summary>The resource's endpoint URLs.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [];

    /// <summary>The process id while running (projects and executables).</summary>
    public int? ProcessId { get; init; }

    /// <summary>The exit code once exited.</summary>
    public int? ExitCode { get; init; }

    /// <summary>When the current run started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the last run stopped.</summary>
    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>The environment given to the process, secret values masked.</summary>
    public IReadOnlyList<EnvironmentVariableSnapshot> Environment { get; init; } = [];

    /// <summary>Where the resource comes from: a project file, a container image, a command.</summary>
    public string? Source { get; init; }

    /// <summary>The endpoints the resource declares, with their URL once allocated.</summary>
    public IReadOnlyList<EndpointSnapshot> Endpoints { get; init; } = [];

    /// <summary>The answer of each health check at its last run.</summary>
    public IReadOnlyList<HealthReportSnapshot> HealthReports { get; init; } = [];

    /// <summary>The resources this one refers to in its environment or waits for.</summary>
    public IReadOnlyList<ResourceRelationshipSnapshot> Relationships { get; init; } = [];
}

/// <summary>One endpoint of a resource; <see cref="Url"/> is null until run mode allocates it.</summary>
public sealed record EndpointSnapshot(string Name, string? Url, string Transport, int? TargetPort, bool IsExternal);

/// <summary>One health check's last answer: <see cref="Description"/> says what was checked and what came back.</summary>
public sealed record HealthReportSnapshot(string Name, HealthStatus Status, string Description);

/// <summary>A resource this one depends on; <see cref="Type"/> is <c>Reference</c>, <c>WaitFor</c> or <c>WaitForCompletion</c>.</summary>
public sealed record ResourceRelationshipSnapshot(string Name, string Type);

/// <summary>One environment variable of a resource; a secret's value is masked.</summary>
public sealed record EnvironmentVariableSnapshot(string Name, string Value, bool IsSecret);

/// <summary>A change of one resource's snapshot.</summary>
public sealed record ResourceEvent(string ResourceName, ResourceSnapshot Snapshot);
