using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting.Orchestration;

/// <summary>Start, stop and restart of a single resource, by the command names Aspire's dashboard uses.</summary>
public sealed class ResourceCommandService(Orchestrator orchestrator, ResourceNotificationService notifications)
{
    /// <summary>Starts a stopped resource, waiting for its dependencies first.</summary>
    public const string Start = "resource-start";

    /// <summary>Stops a running resource.</summary>
    public const string Stop = "resource-stop";

    /// <summary>Stops the resource if it runs, then starts it again without waiting for its dependencies.</summary>
    public const string Restart = "resource-restart";

    /// <summary>Runs a command on a resource; returns once it has taken effect (stopped, or launched).</summary>
    public async Task<ExecuteCommandResult> ExecuteCommandAsync(string resourceName, string commandName, CancellationToken cancellationToken = default)
    {
        ResourceRun run;
        try
        {
            run = orchestrator.GetRun(resourceName);
        }
        catch (ArgumentException e)
        {
            return new ExecuteCommandResult(false, e.Message);
        }

        if (run.Resource is ParameterResource)
        {
            return new ExecuteCommandResult(false, $"'{resourceName}' is a parameter: it does not run.");
        }

        if (orchestrator.CannotRunReason(run) is { } reason)
        {
            return new ExecuteCommandResult(false, reason);
        }

        var state = notifications.GetSnapshot(run.Resource.Name)!.State;

        switch (commandName)
        {
            case Start when !KnownResourceStates.IsStopped(state) && state != KnownResourceStates.NotStarted:
                return new ExecuteCommandResult(false, $"'{resourceName}' is {state}; only a stopped resource can be started.");
            case Start:
                await orchestrator.StartAsync(run, waitForDependencies: true).WaitAsync(cancellationToken);
                return ExecuteCommandResult.Succeeded;
            case Stop when KnownResourceStates.IsStopped(state) || state == KnownResourceStates.NotStarted:
                return new ExecuteCommandResult(false, $"'{resourceName}' is already {state}.");
            case Stop:
                await orchestrator.StopAsync(run).WaitAsync(cancellationToken);
                return ExecuteCommandResult.Succeeded;
            case Restart:
                await orchestrator.StopAsync(run).WaitAsync(cancellationToken);
                await orchestrator.StartAsync(run, waitForDependencies: false).WaitAsync(cancellationToken);
                return ExecuteCommandResult.Succeeded;
            default:
                return new ExecuteCommandResult(false, $"Unknown command '{commandName}'. Commands: {Start}, {Stop}, {Restart}.");
        }
    }
}

/// <summary>The outcome of a resource command.</summary>
public sealed record ExecuteCommandResult(bool Success, string? ErrorMessage = null)
{
    /// <summary>A command that took effect.</summary>
    public static ExecuteCommandResult Succeeded { get; } = new(true);
}
