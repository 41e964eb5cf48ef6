namespace Jarvis.Hosting.Orchestration;

/// <summary>Resource states, named as Aspire names them.</summary>
public static class KnownResourceStates
{
    /// <summary>Declared, not started yet.</summary>
    public const string NotStarted = "NotStarted";

    /// <summary>Waiting for its <c>WaitFor</c> dependencies.</summary>
    public const string Waiting = "Waiting";

    /// <summary>Being launched.</summary>
    public const string Starting = "Starting";

    /// <summary>The process or container runs (see the health status for readiness).</summary>
    public const string Running = "Running";

    /// <summary>A container that cannot run because no container engine answers.</summary>
    public const string RuntimeUnhealthy = "RuntimeUnhealthy";

    /// <summary>Being stopped.</summary>
    public const string Stopping = "Stopping";

    /// <summary>Stopped, or ended with a non-zero exit code.</summary>
    public const string Exited = "Exited";

    /// <summary>Ran to completion (exit code 0).</summary>
    public const string Finished = "Finished";

    /// <summary>Could not start: see the state reason.</summary>
    public const string FailedToStart = "FailedToStart";

    /// <summary>States a resource stays in until someone starts it again.</summary>
    public static bool IsStopped(string state) => state is Exited or Finished or FailedToStart;
}
