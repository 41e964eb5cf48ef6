using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.Logging;

/// <summary>
/// The application's <see cref="ILoggerFactory"/>: the framework's factory with every logger wrapped in a
/// <see cref="ScrubbingLogger"/>, so secrets are removed once, before any provider (console, OpenTelemetry) sees a record.
/// </summary>
internal sealed class ScrubbingLoggerFactory(
    IEnumerable<ILoggerProvider> providers,
    IOptionsMonitor<LoggerFilterOptions> filterOptions,
    IOptions<LoggerFactoryOptions> factoryOptions) : ILoggerFactory
{
    private readonly LoggerFactory _inner = new(providers, filterOptions, factoryOptions);

    public ILogger CreateLogger(string categoryName) => new ScrubbingLogger(_inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => _inner.AddProvider(provider);

    public void Dispose() => _inner.Dispose();
}
