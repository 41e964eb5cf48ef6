namespace Jarvis.Hosting.ApplicationModel;

/// <summary>What an environment callback writes into: variable name to a string or an <see cref="IExpressionValue"/>.</summary>
public sealed class EnvironmentContext(DistributedApplicationExecutionContext executionContext)
{
    /// <summary>Run mode or publish mode.</summary>
    public DistributedApplicationExecutionContext ExecutionContext { get; } = executionContext;

    /// <summary>The variables, in the order they were added.</summary>
    public Dictionary<string, object> EnvironmentVariables { get; } = [];
}

/// <summary>Whether the application is running or writing its manifest.</summary>
public sealed class DistributedApplicationExecutionContext(bool isPublishMode)
{
    /// <summary>True when writing the manifest.</summary>
    public bool IsPublishMode { get; } = isPublishMode;

    /// <summary>True when running the resources.</summary>
    public bool IsRunMode => !IsPublishMode;
}
