using System.Runtime.CompilerServices;
using System.Text;

namespace Jarvis.Hosting.ApplicationModel;

/// <summary>
/// A value known only once the application runs (an endpoint URL, a parameter, a connection string): evaluated in run
/// mode, written as a manifest expression such as <c>{memory.bindings.http.url}</c> in publish mode.
/// </summary>
public interface IExpressionValue
{
    /// <summary>The manifest expression.</summary>
    string ValueExpression { get; }

    /// <summary>The resources the value depends on; run mode leaves out a variable whose resources are not running.</summary>
    IEnumerable<Resource> References { get; }

    /// <summary>The value in run mode.</summary>
    ValueTask<string?> GetValueAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A string made of literals and <see cref="IExpressionValue"/>s, written with interpolation:
/// <c>ReferenceExpression.Create($"Endpoint={endpoint};Key={key}")</c>.
/// </summary>
public sealed class ReferenceExpression : IExpressionValue
{
    private readonly IReadOnlyList<object> _parts;
    private readonly bool _secret;

    private ReferenceExpression(IReadOnlyList<object> parts, bool secret = false)
    {
        _parts = parts;
        _secret = secret;
    }

    /// <summary>Creates an expression from an interpolated string whose holes are endpoints, parameters or resources.</summary>
    public static ReferenceExpression Create(in ExpressionInterpolatedStringHandler handler) => new(handler.Parts);

    /// <summary>An expression of one value, taken as it is (a parameter stays <c>{name.value}</c>).</summary>
    internal static ReferenceExpression Of(IExpressionValue value) => new([value]);

    /// <summary>A literal that must never be shown, such as a configured connection string with its key.</summary>
    internal static ReferenceExpression Secret(string value) => new([value], secret: true);

    /// <summary>True when a secret parameter is part of the value, so it must never be shown.</summary>
    public bool IsSecret => _secret || _parts.Any(p => p is ParameterResource { Secret: true } or ReferenceExpression { IsSecret: true } or ConnectionStringReference { IsSecret: true });

    /// <inheritdoc />
    public string ValueExpression => string.Concat(_parts.Select(p => p as string ?? ((IExpressionValue)p).ValueExpression));

    /// <inheritdoc />
    public IEnumerable<Resource> References => _parts.OfType<IExpressionValue>().SelectMany(p => p.References).Distinct();

    /// <inheritdoc />
    public async ValueTask<string?> GetValueAsync(CancellationToken cancellationToken)
    {
        var value = new StringBuilder();
        foreach (var part in _parts)
        {
            value.Append(part as string ?? await ((IExpressionValue)part).GetValueAsync(cancellationToken));
        }

        return value.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => ValueExpression;
}

/// <summary>Collects the parts of a <see cref="ReferenceExpression"/>.</summary>
[InterpolatedStringHandler]
public readonly struct ExpressionInterpolatedStringHandler
{
    private readonly List<object> _parts;

    /// <summary>Starts an expression.</summary>
    public ExpressionInterpolatedStringHandler(int literalLength, int formattedCount) => _parts = new(formattedCount * 2);

    internal IReadOnlyList<object> Parts => _parts;

    /// <summary>Adds literal text.</summary>
    public void AppendLiteral(string value) => _parts.Add(value);

    /// <summary>Adds a string, an endpoint, a parameter or a resource with a connection string.</summary>
    public void AppendFormatted<T>(T value) => _parts.Add(value switch
    {
        string text => text,
        IResourceWithConnectionString resource => new ConnectionStringReference(resource),
        IExpressionValue expression => expression,
        _ => throw new ArgumentException($"A reference expression can hold strings, endpoints, parameters and resources, not {typeof(T).Name}.", nameof(value)),
    });
}

/// <summary>A resource's connection string inside an expression: <c>{name.connectionString}</c> in the manifest.</summary>
public sealed class ConnectionStringReference(IResourceWithConnectionString resource) : IExpressionValue
{
    /// <summary>True when the connection string holds a secret.</summary>
    public bool IsSecret => resource.ConnectionStringExpression.IsSecret;

    /// <inheritdoc />
    public string ValueExpression => $"{{{resource.Name}.connectionString}}";

    /// <inheritdoc />
    public IEnumerable<Resource> References => resource is Resource r ? [r, .. resource.ConnectionStringExpression.References] : resource.ConnectionStringExpression.References;

    /// <inheritdoc />
    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken) => resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
}
