using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Jarvis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.AppHost;

/// <summary>Disposing a stack started through Aspire's testing builder stops every service process it ran.</summary>
public sealed class TestingAppDisposalTests
{
    [Fact]
    public async Task DisposingTheAppStopsApiMemoryAndVoice()
    {
        var ct = TestContext.Current.CancellationToken;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StackFixture.StartTimeout);
        // With the dashboard: without one, the testing builder points every service's OTLP exporter at the default
        // localhost:4317, where TelemetryTests listens to prove that a service without an endpoint sends nothing.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Jarvis_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = true }, ["--Jarvis:Containers=never"], timeout.Token);
        var app = await builder.BuildAsync(timeout.Token);
        List<ProcessInfo> services = [];
        try
        {
            await app.StartAsync(timeout.Token);
            var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var name in StackFixture.Services)
            {
                var resource = await notifications.WaitForResourceHealthyAsync(name, timeout.Token);
                var pid = resource.ProcessId();
                services.Add(LinuxProcesses.Read(pid)!);
                services.AddRange(LinuxProcesses.Descendants(pid));
            }

            Assert.All(services, p => Assert.True(LinuxProcesses.IsAlive(p)));
        }
        finally
        {
            await app.DisposeAsync();
        }

        try
        {
            await Eventually.TrueAsync(
                () => Task.FromResult(!services.Any(LinuxProcesses.IsAlive)),
                $"every service process to exit; alive: {string.Join(", ", services.Where(LinuxProcesses.IsAlive).Select(p => p.CommandLine))}",
                ct,
                TimeSpan.FromSeconds(10));
        }
        finally
        {
            LinuxProcesses.KillSurvivors(services);
        }
    }
}
