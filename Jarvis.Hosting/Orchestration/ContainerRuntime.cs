using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Jarvis.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Jarvis.Hosting.Orchestration;

/// <summary>
/// Runs containers through the docker or podman CLI (<c>ASPIRE_CONTAINER_RUNTIME</c> chooses; docker first): <c>info</c>
/// to see whether an engine answers, <c>run -d</c>, <c>inspect</c> to follow the container, <c>logs -f</c> for its
/// output, <c>stop</c> and <c>rm</c>. Named volumes are never removed.
/// </summary>
public sealed class ContainerRuntime(IConfiguration configuration, IOptions<OrchestratorOptions> options, ProcessLauncher launcher)
{
    private const string Label = "jarvis.apphost.pid";

    private readonly Lazy<Task<(string? Cli, string Problem)>> _engine = new(() => FindEngineAsync(configuration, options.Value));

    /// <summary>The CLI of the working engine; null until <see cref="DetectAsync"/> has found one.</summary>
    public string? Cli { get; private set; }

    /// <summary>Looks for a working engine once; returns null when one answers, else why none is usable.</summary>
    public async Task<string?> DetectAsync()
    {
        var (cli, problem) = await _engine.Value;
        Cli = cli;
        return cli is null ? problem : null;
    }

    /// <summary>The status <see cref="InspectAsync"/> reports when the engine did not answer: try again later.</summary>
    public const string UnknownStatus = "unknown";

    /// <summary>A new container name for the resource: <c>NAME-8hex</c>.</summary>
    public static string NewName(ContainerResource container)
    {
        ArgumentNullException.ThrowIfNull(container);
        return $"{container.Name}-{Guid.NewGuid().ToString("N")[..8]}";
    }

    /// <summary>
    /// Starts a container named <paramref name="name"/> in the background. Secret values travel in the CLI's environment
    /// (<c>--env NAME</c>), so they never appear on a command line; the others are passed as <c>--env NAME=VALUE</c>, so
    /// they cannot change how the CLI itself runs (a container's <c>PATH</c>, say). If the run fails or is cancelled
    /// (Ctrl+C during a long image pull), whatever it created is removed.
    /// </summary>
    public async Task RunAsync(ContainerResource container, string name, IReadOnlyDictionary<string, string> environment, IReadOnlySet<string> secretNames, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var cli = Engine;
        var run = new List<string> { "run", "--detach", "--name", name, "--label", $"{Label}={Environment.ProcessId}" };
        foreach (var endpoint in container.Endpoints)
        {
            var allocated = endpoint.Allocated!;
            run.AddRange(["--publish", $"127.0.0.1:{allocated.Port}:{allocated.TargetPort}"]);
        }

        foreach (var (variable, value) in environment)
        {
            run.AddRange(["--env", secretNames.Contains(variable) ? variable : $"{variable}={value}"]);
        }

        foreach (var mount in container.Mounts)
        {
            run.AddRange(["--volume", $"{mount.Source}:{mount.Target}{(mount.IsReadOnly ? ":ro" : "")}"]);
        }

        run.Add(container.ImageReference);
        run.AddRange(args);

        var secrets = environment.Where(e => secretNames.Contains(e.Key)).ToDictionary();
        int exitCode;
        string output;
        try
        {
            (exitCode, output) = await ExecuteAsync(cli, run, secrets, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await ExecuteAsync(cli, ["rm", "--force", name], null, CancellationToken.None);
            throw;
        }

        if (exitCode != 0)
        {
            // A failed run can leave a created container behind (a port already taken, say).
            await ExecuteAsync(cli, ["rm", "--force", name], null, CancellationToken.None);
            throw new DistributedApplicationException($"'{cli} run' failed with exit code {exitCode}: {output.Trim()}");
        }
    }

    /// <summary>
    /// The container's status (<c>running</c>, <c>exited</c>…) and exit code; null only when the engine says there is no
    /// such container, <see cref="UnknownStatus"/> when it did not answer (a daemon hiccup is not an exit).
    /// </summary>
    public async Task<(string Status, int ExitCode)?> InspectAsync(string name, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await ExecuteAsync(Engine, ["inspect", name], null, cancellationToken);
        if (exitCode != 0)
        {
            return output.Contains("No such", StringComparison.OrdinalIgnoreCase) ? null : (UnknownStatus, 0);
        }

        using var document = JsonDocument.Parse(output);
        var state = document.RootElement[0].GetProperty("State");
        return (state.GetProperty("Status").GetString() ?? UnknownStatus, state.GetProperty("ExitCode").GetInt32());
    }

    /// <summary>Follows the container's output (<c>logs --follow</c>); the process ends with the container.</summary>
    public Task<Process> FollowLogsAsync(string name) => launcher.StartAsync(new ProcessStartInfo(Engine, ["logs", "--follow", name])
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    });

    /// <summary>Stops the container (SIGTERM, then SIGKILL after <paramref name="timeout"/>) and removes it; its volumes stay.</summary>
    public async Task RemoveAsync(string name, TimeSpan timeout)
    {
        await ExecuteAsync(Engine, ["stop", "--time", ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), name], null, CancellationToken.None);
        await ExecuteAsync(Engine, ["rm", "--force", name], null, CancellationToken.None);
    }

    /// <summary>
    /// Starts a watchdog that removes the container if the app host dies without stopping it (even by SIGKILL); it
    /// checks every half second and exits as soon as the app host is gone. Kill the returned process to disarm it.
    /// </summary>
    public Task<Process> StartWatchdogAsync(string name) => launcher.StartAsync(new ProcessStartInfo("/bin/sh",
    [
        "-c",
        "while kill -0 \"$1\" 2>/dev/null; do sleep 0.5; done; exec \"$2\" rm --force \"$3\" >/dev/null 2>&1",
        "jarvis-container-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), Engine, name,
    ])
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    }, parentDeathSignal: false);

    private string Engine => Cli ?? throw new InvalidOperationException("No container engine has been detected.");

    private static async Task<(string? Cli, string Problem)> FindEngineAsync(IConfiguration configuration, OrchestratorOptions options)
    {
        var chosen = options.ContainerRuntime ?? configuration["ASPIRE_CONTAINER_RUNTIME"];
        string[] candidates = chosen is not null ? [chosen] : ["docker", "podman"];
        var problems = new List<string>();
        foreach (var cli in candidates)
        {
            try
            {
                // A hung daemon (or an unreachable remote context) must not hold the start up.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var (exitCode, output) = await ExecuteAsync(cli, ["info"], null, timeout.Token);
                if (exitCode == 0)
                {
                    return (cli, "");
                }

                problems.Add($"'{cli} info' failed: {FirstLine(output)}");
            }
            catch (System.ComponentModel.Win32Exception)
            {
                problems.Add($"'{cli}' is not installed");
            }
            catch (OperationCanceledException)
            {
                problems.Add($"'{cli} info' did not answer within 10 s");
            }
        }

        return (null, string.Join("; ", problems));
    }

    private static async Task<(int ExitCode, string Output)> ExecuteAsync(string cli, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(cli, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // A cancelled `run` must not go on to create a container nobody will remove.
            process.Kill(entireProcessTree: true);
            throw;
        }

        var (output, errors) = (await stdout, await stderr);
        return (process.ExitCode, process.ExitCode == 0 || errors.Trim().Length == 0 ? output : errors);
    }

    private static string FirstLine(string text) => text.Trim().Split('\n')[0].Trim();
}
