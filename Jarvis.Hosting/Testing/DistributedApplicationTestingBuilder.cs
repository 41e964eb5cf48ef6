using System.Diagnostics;
using System.Reflection;
using Jarvis.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Jarvis.Hosting.Testing;

/// <summary>
/// Boots an app host for tests, as <c>Aspire.Hosting.Testing</c> does: runs the app host's <c>Program</c> up to
/// <c>Build()</c>, lets the test change the composition, then hands the test the built application. Every endpoint
/// gets a free port, nothing is printed, and generated secrets are not saved.
/// </summary>
public sealed class DistributedApplicationTestingBuilder
{
    private static readonly AsyncLocal<EntryPointRun?> s_current = new();
    private static readonly Dictionary<string, string?> s_testingConfiguration = new()
    {
        ["AppHost:RandomizePorts"] = "true",
        ["AppHost:ConsoleStatus"] = "false",
        ["AppHost:PersistGeneratedParameters"] = "false",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    private readonly EntryPointRun? _run;

    private DistributedApplicationTestingBuilder(DistributedApplicationBuilder builder, EntryPointRun? run)
    {
        ApplicationBuilder = builder;
        _run = run;
    }

    /// <summary>The app host's builder: add resources or change them before <see cref="BuildAsync"/>.</summary>
    public DistributedApplicationBuilder ApplicationBuilder { get; }

    /// <summary>The app host's configuration.</summary>
    public ConfigurationManager Configuration => ApplicationBuilder.Configuration;

    /// <summary>The resources the app host declared.</summary>
    public IReadOnlyList<Resource> Resources => ApplicationBuilder.Resources;

    /// <summary>Runs the app host project's <c>Program</c> (<c>Projects.Jarvis_AppHost</c>) up to <c>Build()</c>.</summary>
    public static Task<DistributedApplicationTestingBuilder> CreateAsync<TEntryPoint>(CancellationToken cancellationToken = default)
        where TEntryPoint : IProjectMetadata, new() => CreateAsync<TEntryPoint>([], cancellationToken);

    /// <summary>Runs the app host project's <c>Program</c> with arguments, up to <c>Build()</c>.</summary>
    public static async Task<DistributedApplicationTestingBuilder> CreateAsync<TEntryPoint>(string[] args, CancellationToken cancellationToken = default)
        where TEntryPoint : IProjectMetadata, new()
    {
        var assembly = Assembly.Load(Path.GetFileNameWithoutExtension(new TEntryPoint().TargetPath));
        var entryPoint = assembly.EntryPoint ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no entry point.");
        var run = new EntryPointRun(assembly, args);
        s_current.Value = run;
        var thread = new Thread(() => run.Execute(entryPoint)) { IsBackground = true, Name = $"{assembly.GetName().Name} Main" };
        thread.Start();
        s_current.Value = null;

        var builder = await run.BuilderReady.Task.WaitAsync(cancellationToken);
        return new DistributedApplicationTestingBuilder(builder, run);
    }

    /// <summary>An empty application to compose in the test itself, with the testing settings.</summary>
    public static DistributedApplicationTestingBuilder Create(params string[] args)
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = args, Assembly = Assembly.GetCallingAssembly() });
        builder.Configuration.AddInMemoryCollection(s_testingConfiguration);
        return new DistributedApplicationTestingBuilder(builder, run: null);
    }

    /// <summary>Builds the application; start it with <c>StartAsync</c> and dispose it to stop every resource.</summary>
    public async Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default)
    {
        if (_run is null)
        {
            return ApplicationBuilder.Build();
        }

        _run.BuildAllowed.SetResult();
        return await _run.Built.Task.WaitAsync(cancellationToken);
    }

    /// <summary>One run of an app host's entry point, paused at Build() and stopped before Run().</summary>
    private sealed class EntryPointRun : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
    {
        private readonly Assembly _assembly;
        private readonly string[] _args;
        private readonly List<IDisposable> _subscriptions = [];

        public EntryPointRun(Assembly assembly, string[] args)
        {
            _assembly = assembly;
            _args = args;
            _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
        }

        public TaskCompletionSource<DistributedApplicationBuilder> BuilderReady { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource BuildAllowed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<DistributedApplication> Built { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute(MethodInfo entryPoint)
        {
            try
            {
                entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? [] : [_args]);
                var error = new InvalidOperationException($"{_assembly.GetName().Name}'s Main returned without building a DistributedApplication.");
                BuilderReady.TrySetException(error);
                Built.TrySetException(error);
            }
            catch (TargetInvocationException e) when (e.InnerException is StopEntryPointException)
            {
                // The application was handed to the test; Main must not go on to Run() it.
            }
            catch (TargetInvocationException e)
            {
                BuilderReady.TrySetException(e.InnerException!);
                Built.TrySetException(e.InnerException!);
            }
            finally
            {
                _subscriptions.ForEach(s => s.Dispose());
            }
        }

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == "Jarvis.Hosting")
            {
                _subscriptions.Add(value.Subscribe(this));
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            // Only the entry point this run started (its thread carries the run) is steered.
            if (s_current.Value != this)
            {
                return;
            }

            switch (value.Key)
            {
                case "DistributedApplicationBuilderConstructing" when value.Value is DistributedApplicationOptions options:
                    options.Assembly = _assembly;
                    options.Args = [.. options.Args, .. _args];
                    break;
                case "DistributedApplicationBuilderConstructed" when value.Value is DistributedApplicationBuilder builder:
                    builder.Configuration.AddInMemoryCollection(s_testingConfiguration);
                    break;
                case "DistributedApplicationBuilding" when value.Value is DistributedApplicationBuilder builder:
                    BuilderReady.SetResult(builder);
                    BuildAllowed.Task.GetAwaiter().GetResult();
                    break;
                case "DistributedApplicationBuilt" when value.Value is DistributedApplication application:
                    Built.SetResult(application);
                    throw new StopEntryPointException();
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }

    private sealed class StopEntryPointException : Exception;
}
