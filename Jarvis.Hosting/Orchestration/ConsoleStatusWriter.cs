using System.Globalization;
using System.Text;
using Jarvis.Hosting.ApplicationModel;
using Jarvis.Hosting.Dashboard;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Jarvis.Hosting.Orchestration;

/// <summary>
/// The app host's console: the dashboard's login URL at once, then a compact table of every resource (state, health,
/// URL), printed whenever the application settles (nothing waiting or starting) into a state it has not shown yet, so a
/// crash or recovery shows up too, and every 10 s while something takes long (a first image pull).
/// </summary>
internal sealed class ConsoleStatusWriter(
    ResourceNotificationService notifications,
    DistributedApplicationModel model,
    IOptions<OrchestratorOptions> options,
    DashboardServer dashboard,
    TimeProvider timeProvider) : BackgroundService
{
    private static readonly TimeSpan s_settleDelay = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan s_unsettledInterval = TimeSpan.FromSeconds(10);

    // A service just started answers its first health checks before it listens: that is starting, not unhealthy.
    private static readonly TimeSpan s_startupGrace = TimeSpan.FromSeconds(20);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ConsoleStatus)
        {
            return;
        }

        if (dashboard.LoginUrl is { } login)
        {
            Console.WriteLine($"Dashboard: {login}");
        }

        var shown = "";
        var shownAt = timeProvider.GetUtcNow();
        using var changed = new SemaphoreSlim(0);
        _ = Task.Run(async () =>
        {
            await foreach (var _ in notifications.WatchAsync(stoppingToken))
            {
                changed.Release();
            }
        }, stoppingToken);

        try
        {
            while (true)
            {
                // A change, or a while without one (a long image pull): then show where things stand anyway.
                await changed.WaitAsync(s_unsettledInterval, stoppingToken);
                await Task.Delay(s_settleDelay, timeProvider, stoppingToken);
                while (changed.CurrentCount > 0)
                {
                    await changed.WaitAsync(stoppingToken);
                }

                var now = timeProvider.GetUtcNow();
                var table = Render();
                if (table != shown && (IsSettled(now) || now - shownAt >= s_unsettledInterval))
                {
                    shown = table;
                    shownAt = now;
                    Console.Write(table);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>True when nothing is waiting, starting, or not yet healthy just after its start.</summary>
    private bool IsSettled(DateTimeOffset now) => !model.Resources.Where(r => r is not ParameterResource)
        .Select(r => notifications.GetSnapshot(r.Name)!)
        .Any(s => s.State is KnownResourceStates.NotStarted or KnownResourceStates.Waiting or KnownResourceStates.Starting
            || (s.State == KnownResourceStates.Running && (s.HealthStatus is null || (s.HealthStatus != HealthStatus.Healthy && now - s.StartedAt < s_startupGrace))));

    /// <summary>The table: every resource's state, health and URLs, then the dashboard's login URL.</summary>
    private string Render()
    {
        var snapshots = model.Resources.Where(r => r is not ParameterResource).Select(r => notifications.GetSnapshot(r.Name)!).ToList();
        var nameWidth = Math.Max(10, snapshots.Max(s => s.Name.Length) + 2);
        var table = new StringBuilder().AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture, $"  {"RESOURCE".PadRight(nameWidth)}{"STATE",-18}{"HEALTH",-11}URL");
        foreach (var snapshot in snapshots)
        {
            var state = snapshot.State.Length > 17 ? snapshot.State[..17] : snapshot.State;
            table.AppendLine(CultureInfo.InvariantCulture, $"  {snapshot.Name.PadRight(nameWidth)}{state,-18}{snapshot.HealthStatus?.ToString() ?? "-",-11}{string.Join(' ', snapshot.Urls)}");
            if (snapshot.StateReason is { } reason && snapshot.State is KnownResourceStates.FailedToStart or KnownResourceStates.Exited)
            {
                table.AppendLine(CultureInfo.InvariantCulture, $"  {"".PadRight(nameWidth)}  {reason}");
            }
        }

        table.AppendLine();
        if (dashboard.LoginUrl is { } login)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"Dashboard: {login}");
        }

        table.AppendLine("Press Ctrl+C to stop.");
        return table.ToString();
    }
}
