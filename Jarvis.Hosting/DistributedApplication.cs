using Jarvis.Hosting.Orchestration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Jarvis.Hosting;

/// <summary>
/// The built application. In run mode it starts every resource and stops them all, in reverse dependency order, on
/// Ctrl+C or SIGTERM; in publish mode it writes the manifest and exits.
/// </summary>
public sealed class DistributedApplication : IHost, IAsyncDisposable
{
    private readonly IHost _host;
    private bool _validated;

    internal DistributedApplication(IHost host) => _host = host;

    /// <summary>The app host's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Resource states and health, to read or wait on.</summary>
    public ResourceNotificationService ResourceNotifications => Services.GetRequiredService<ResourceNotificationService>();

    /// <summary>Start, stop and restart of a single resource.</summary>
    public ResourceCommandService ResourceCommands => Services.GetRequiredService<ResourceCommandService>();

    /// <summary>Creates the builder for an app host's <c>Program.cs</c>.</summary>
    public static DistributedApplicationBuilder CreateBuilder(string[] args) => CreateBuilder(new DistributedApplicationOptions { Args = args });

    /// <summary>Creates the builder with explicit options.</summary>
    public static DistributedApplicationBuilder CreateBuilder(DistributedApplicationOptions options) => new(options);

    /// <summary>Runs until Ctrl+C or SIGTERM. A failure to start is printed as one line and the process exits with 1.</summary>
    public void Run()
    {
        try
        {
            _host.Run();
        }
        catch (Exception e) when (e is DistributedApplicationException or OptionsValidationException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Environment.ExitCode = 1;
        }
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled or the application stops itself (publish mode).</summary>
    public Task RunAsync(CancellationToken cancellationToken = default) => _host.RunAsync(cancellationToken);

    /// <summary>Starts the resources; returns once they are launching (wait for health through <see cref="ResourceNotifications"/>).</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        // Settings are validated here, before the host starts: the generic host cannot be stopped (nor so disposed) after
        // a start that failed before its services were created.
        _host.Services.GetService<IStartupValidator>()?.Validate();
        _validated = true;
        return _host.StartAsync(cancellationToken);
    }

    /// <summary>Stops every resource in reverse dependency order.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _host.StopAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_validated)
        {
            await _host.StopAsync();
        }

        if (_host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
