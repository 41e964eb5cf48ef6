namespace Jarvis.Hosting.ApplicationModel;

/// <summary>
/// A value supplied at deploy time: from configuration <c>Parameters:NAME</c> in run mode, an input of the deployment in
/// the manifest. A secret parameter with no configured value is generated on first run and kept in the user's secret store.
/// </summary>
public class ParameterResource(string name, bool secret) : Resource(name), IExpressionValue
{
    /// <inheritdoc />
    public override string ResourceType => "Parameter";

    /// <summary>True when the value must never be shown.</summary>
    public bool Secret { get; } = secret;

    /// <summary>The generation rule for a missing value (written as <c>default.generate</c>), or null.</summary>
    public GenerateParameterDefault? Generate { get; init; }

    /// <summary>The configuration key the run-mode value is read from.</summary>
    public virtual string ConfigurationKey => $"Parameters:{Name}";

    /// <summary>The run-mode value, set before any resource starts.</summary>
    public string? Value { get; internal set; }

    /// <inheritdoc />
    public string ValueExpression => $"{{{Name}.value}}";

    /// <inheritdoc />
    public IEnumerable<Resource> References => [this];

    /// <inheritdoc />
    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<string?>(Value ?? throw new InvalidOperationException($"Parameter '{Name}' has no value: set configuration '{ConfigurationKey}'."));
}

/// <summary>How a missing parameter value is generated, as Aspire's manifest <c>default.generate</c> describes it.</summary>
public sealed record GenerateParameterDefault(int MinLength = 22, bool Special = true);

/// <summary>
/// A connection string to an existing service (<c>AddConnectionString</c>): read from <c>ConnectionStrings:NAME</c>,
/// injected as <c>ConnectionStrings__NAME</c>.
/// </summary>
public sealed class ConnectionStringParameterResource(string name) : ParameterResource(name, secret: true), IResourceWithConnectionString
{
    /// <inheritdoc />
    public override string ConfigurationKey => $"ConnectionStrings:{Name}";

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Of(this);
}
