using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.AppHost;

/// <summary>
/// No orphans: whether the app host is stopped with Ctrl+C (SIGINT) or SIGTERM, or killed with SIGKILL, none of the
/// processes it started (DCP, the dashboard, the services) is left 10 s later. After a SIGKILL it is DCP's monitor
/// that stops them.
/// </summary>
public sealed class AppHostProcessTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(LinuxProcesses.SigInt)]
    [InlineData(LinuxProcesses.SigTerm)]
    [InlineData(LinuxProcesses.SigKill)]
    public async Task NothingTheAppHostStartedOutlivesItBy10Seconds(int signal)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(StackFixture.StartTimeout);
        await using var appHost = AppHostProcess.Start();
        var started = await appHost.WaitUntilServicesAreHealthyAsync(timeout.Token);
        Assert.Contains(started, p => p.CommandLine.Contains("dcp", StringComparison.Ordinal));
        Assert.Contains(started, p => p.CommandLine.Contains("Aspire.Dashboard", StringComparison.Ordinal));

        LinuxProcesses.Signal(appHost.Pid, signal);
        var exitCode = await appHost.WaitForExitAsync(timeout.Token);

        try
        {
            await Eventually.TrueAsync(
                () => Task.FromResult(!started.Any(LinuxProcesses.IsAlive)),
                $"every process the app host started to exit; alive: {string.Join(", ", started.Where(LinuxProcesses.IsAlive).Select(p => p.CommandLine))}",
                timeout.Token,
                Limit);
        }
        finally
        {
            LinuxProcesses.KillSurvivors(started);
        }

        if (signal != LinuxProcesses.SigKill)
        {
            Assert.Equal(0, exitCode);
        }
    }
}
