using Microsoft.Extensions.Configuration;
using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jarvis.AppHost;

/// <summary>
/// Composes the backing services (Qdrant, Ollama and its models, the Wyoming servers) for this run. In publish mode
/// every one is its container, so the manifest describes the whole production topology. In run mode a service is the
/// server <c>ConnectionStrings:NAME</c> names, else its container when <c>Jarvis:Containers</c> allows one
/// (<c>auto</c>, the default, asks the engine), else it is left out and the services use their embedded fallbacks.
/// </summary>
internal sealed partial class BackingServices
{
    /// <summary>The setting that says whether containers run: <c>auto</c>, <c>always</c> or <c>never</c>.</summary>
    public const string ContainersKey = "Jarvis:Containers";

    private readonly IDistributedApplicationBuilder _builder;
    private readonly List<string> _leftOut = [];
    private readonly List<string> _existing = [];

    public BackingServices(IDistributedApplicationBuilder builder)
    {
        _builder = builder;
        var mode = builder.Configuration[ContainersKey]?.Trim().ToLowerInvariant();
        WhyNoContainers = builder.ExecutionContext.IsPublishMode ? null : mode switch
        {
            null or "" or "auto" => ContainerEngine.WhyUnavailable(ContainerEngine.RuntimeName(builder.Configuration)),
            "always" => null,
            "never" => $"{ContainersKey} is 'never'",
            _ => throw new AppHostSettingException(ContainersKey, $"must be auto, always or never; it is '{builder.Configuration[ContainersKey]}'"),
        };

        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Jarvis.AppHost");
            foreach (var name in _existing)
            {
                LogExistingServer(logger, name);
            }

            if (_leftOut.Count > 0)
            {
                LogLeftOut(logger, WhyNoContainers!, string.Join(", ", _leftOut));
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>Why this run starts no containers, or null when it does.</summary>
    public string? WhyNoContainers { get; }

    /// <summary>Adds the backing service <paramref name="name"/>: an existing server, its container, or nothing.</summary>
    public BackingService Add<T>(string name, Func<string, IResourceBuilder<T>> addContainer)
        where T : IResourceWithConnectionString
    {
        if (!_builder.ExecutionContext.IsPublishMode && _builder.Configuration.GetConnectionString(name) is { } configured)
        {
            ValidateConnectionString(name, configured);
            _existing.Add(name);
            return new(name, BackingServiceSource.ExistingServer, _builder.AddConnectionString(name), this);
        }

        if (WhyNoContainers is not null)
        {
            _leftOut.Add(name);
            return new(name, BackingServiceSource.LeftOut, null, this);
        }

        return new(name, BackingServiceSource.Container, (IResourceBuilder<IResourceWithConnectionString>)addContainer(name), this);
    }

    /// <summary>Adds a model of an Ollama backing service: pulled on its container, or named on an existing server.</summary>
    public BackingService AddModel(BackingService ollama, string model)
    {
        var name = OllamaResourceBuilderExtensions.ModelResourceName(ollama.Name, model);
        switch (ollama.Resource)
        {
            case IResourceBuilder<OllamaResource> container:
                return new(name, BackingServiceSource.Container, container.AddModel(model), this);
            case { } existing:
                return new(name, BackingServiceSource.ExistingServer, _builder.AddConnectionString(name, ReferenceExpression.Create($"{existing.Resource};Model={model}")), this);
            default:
                _leftOut.Add(name);
                return new(name, BackingServiceSource.LeftOut, null, this);
        }
    }

    /// <summary>An existing server's connection string must be <c>Endpoint=URL</c>, optionally with other keys (<c>Key=…</c>).</summary>
    private static void ValidateConnectionString(string name, string value)
    {
        var key = $"ConnectionStrings:{name}";
        var parts = new DbConnectionStringBuilder();
        try
        {
            parts.ConnectionString = value;
        }
        catch (ArgumentException)
        {
            // The value is not repeated: it may hold an API key.
            throw new AppHostSettingException(key, "is not a connection string; expected 'Endpoint=scheme://host:port'");
        }

        if (!parts.TryGetValue("Endpoint", out var endpoint) || !Uri.TryCreate(endpoint?.ToString(), UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new AppHostSettingException(key, "has no Endpoint with an absolute URL; expected 'Endpoint=scheme://host:port'");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name} is the existing server named by ConnectionStrings:{Name}; no container is run for it.")]
    private static partial void LogExistingServer(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No containers run ({Reason}): left out {Resources}. Memory keeps memories in its embedded store and embeds "
        + "lexically, voice uses its local engines and api answers with its offline responder. Install a container engine, or set ConnectionStrings:NAME for an existing server.")]
    private static partial void LogLeftOut(ILogger logger, string reason, string resources);
}
