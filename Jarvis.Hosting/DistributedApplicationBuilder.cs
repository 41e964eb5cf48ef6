using System.Diagnostics;
using System.Reflection;
using Jarvis.Hosting.ApplicationModel;
using Jarvis.Hosting.Dashboard;
using Jarvis.Hosting.Orchestration;
using Jarvis.Hosting.Publishing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Jarvis.Hosting;

/// <summary>Declares the resources of the distributed application, as Aspire's <c>IDistributedApplicationBuilder</c> does.</summary>
public sealed class DistributedApplicationBuilder
{
    internal static readonly DiagnosticListener Listener = new("Jarvis.Hosting");

    private const string VerboseSwitch = "--verbose";

    private readonly HostApplicationBuilder _host;
    private readonly List<Resource> _resources = [];

    internal DistributedApplicationBuilder(DistributedApplicationOptions options)
    {
        // The testing builder listens here to add its configuration (random ports, no console status) before any is read.
        Listener.Write("DistributedApplicationBuilderConstructing", options);

        var assembly = options.Assembly ?? Assembly.GetEntryAssembly() ?? throw new InvalidOperationException("No app host assembly.");
        AppHostAssembly = assembly;
        AppHostDirectory = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "AppHostProjectDirectory")?.Value
            ?? AppContext.BaseDirectory;

        _host = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = assembly.GetName().Name,
            ContentRootPath = AppHostDirectory,
            EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Development,
        });
        _host.Configuration
            .AddJsonFile(Path.Combine(AppHostDirectory, "appsettings.json"), optional: true)
            .AddUserSecrets(assembly, optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. options.Args.Where(a => a != VerboseSwitch)], new Dictionary<string, string>
            {
                ["--publisher"] = "Publishing:Publisher",
                ["--output-path"] = "Publishing:OutputPath",
            });

        // A flag without a value, which the command-line provider would pair with the next argument.
        if (options.Args.Contains(VerboseSwitch))
        {
            _host.Configuration["AppHost:Verbose"] = "true";
        }

        ExecutionContext = new DistributedApplicationExecutionContext(isPublishMode: _host.Configuration["Publishing:Publisher"] is not null);
        ConfigureServices(_host.Services);

        Listener.Write("DistributedApplicationBuilderConstructed", this);
    }

    /// <summary>The app host's configuration: appsettings.json, user secrets, environment, command line.</summary>
    public ConfigurationManager Configuration => _host.Configuration;

    /// <summary>The app host's services.</summary>
    public IServiceCollection Services => _host.Services;

    /// <summary>Run mode or publish mode.</summary>
    public DistributedApplicationExecutionContext ExecutionContext { get; }

    /// <summary>The resources declared so far, in declaration order.</summary>
    public IReadOnlyList<Resource> Resources => _resources;

    /// <summary>The directory of the app host project.</summary>
    public string AppHostDirectory { get; }

    internal Assembly AppHostAssembly { get; }

    /// <summary>Adds a resource; its name must be unique (ignoring case).</summary>
    public IResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"Cannot add resource '{resource.Name}': a resource with that name already exists.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    /// <summary>Builds the application: run it to start the resources, or (in publish mode) to write the manifest.</summary>
    public DistributedApplication Build()
    {
        // The testing builder pauses the app host's Main here until the test has finished changing the composition.
        Listener.Write("DistributedApplicationBuilding", this);
        this.AddAspireDashboardIfConfigured();
        _host.Services.AddSingleton(new DistributedApplicationModel(_resources));
        var application = new DistributedApplication(_host.Build());

        // The testing builder takes the application here and stops the app host's Main from running it.
        Listener.Write("DistributedApplicationBuilt", application);
        return application;
    }

    private void ConfigureServices(IServiceCollection services)
    {
        services.AddLogging(logging => logging
            .AddConfiguration(Configuration.GetSection("Logging"))
            .AddConsole(console => console.FormatterName = AppHostConsoleFormatter.FormatterName)
            .AddConsoleFormatter<AppHostConsoleFormatter, ConsoleFormatterOptions>()
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            // A failed start is printed once, as one line, by DistributedApplication.Run: not again with a stack trace.
            .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None)
            .AddFilter("System.Net.Http", LogLevel.Warning));
        services.AddSingleton(ExecutionContext);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new AppHostInfo(AppHostAssembly, AppHostDirectory));
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromMinutes(2));
        services.AddOptions<OrchestratorOptions>().Bind(Configuration.GetSection("AppHost")).ValidateDataAnnotations().ValidateOnStart();

        if (ExecutionContext.IsPublishMode)
        {
            services.AddSingleton<ManifestWriter>();
            services.AddHostedService<ManifestPublishingService>();
            return;
        }

        services.AddHttpClient();
        services.AddSingleton<ResourceNotificationService>();
        services.AddSingleton<ResourceLoggerService>();
        services.AddSingleton<ParameterResolver>();
        services.AddSingleton<ProcessLauncher>();
        services.AddSingleton<ContainerRuntime>();
        services.AddSingleton<ResourceHealthMonitor>();
        services.AddSingleton<Orchestrator>();
        services.AddSingleton<ResourceCommandService>();

        // Before the orchestrator: its OTLP receiver must listen when the first service starts exporting.
        services.AddDashboardTelemetry(Configuration);
        services.AddHostedService(sp => sp.GetRequiredService<Orchestrator>());
        services.AddSingleton<DashboardServer>();
        services.AddHostedService(sp => sp.GetRequiredService<DashboardServer>());
        services.AddHostedService<ConsoleStatusWriter>();
    }
}
