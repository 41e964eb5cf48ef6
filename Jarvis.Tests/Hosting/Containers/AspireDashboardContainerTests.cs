using Jarvis.Hosting;
using Jarvis.Hosting.Dashboard;
using Jarvis.Hosting.Dashboard.Otlp;
using Jarvis.Hosting.Orchestration;
using Jarvis.Hosting.Testing;
using Jarvis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.Hosting.Containers;

/// <summary>
/// <c>Dashboard:UseAspireDashboardContainer=true</c>: the real Aspire dashboard container runs (here through the
/// stand-in docker CLI) in place of the app host's own dashboard, configured as Aspire configures it, and every service
/// exports to it.
/// </summary>
public sealed class AspireDashboardContainerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheContainerRunsOnAspiresPortsWithKeyAndTokenAndTheServicesExportToIt()
    {
        using var docker = StandInDocker.CreateWorking();
        var exported = Path.Combine(docker.BinDirectory, "worker-otlp.env");
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.Configuration["AppHost:ContainerRuntime"] = docker.Executable;
        builder.Configuration["AppHost:StopTimeout"] = "00:00:02";
        builder.Configuration["Dashboard:UseAspireDashboardContainer"] = "true";
        builder.Configuration["Dashboard:BrowserToken"] = "browser-token-0123456789";
        builder.ApplicationBuilder.AddExecutable("worker", "sh", ".", "-c",
            $"printf '%s\\n' \"$OTEL_EXPORTER_OTLP_ENDPOINT\" \"$OTEL_EXPORTER_OTLP_PROTOCOL\" \"$OTEL_EXPORTER_OTLP_HEADERS\" > '{exported}'; exec sleep 60");
        await using var app = await builder.BuildAsync(Ct);
        await app.StartAsync(Ct);

        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(exported) && File.ReadAllLines(exported).Length == 3), "the worker to start", Ct, TimeSpan.FromSeconds(30));
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        try
        {
            await Eventually.TrueAsync(
                () => Task.FromResult(notifications.GetSnapshot(AspireDashboardBuilderExtensions.ResourceName)?.State == KnownResourceStates.Running),
                "the dashboard container to run", Ct, TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{string.Join('\n', logs.GetLines(AspireDashboardBuilderExtensions.ResourceName).Select(l => l.Text))}\n{string.Join('\n', docker.Commands().Select(c => string.Join(' ', c)))}", e);
        }
        var run = Assert.Single(docker.Commands(), c => c.Length > 0 && c[0] == "run" && c.Contains("mcr.microsoft.com/dotnet/aspire-dashboard:9.5"));
        var name = run[Array.IndexOf(run, "--name") + 1];
        var publishes = run.Select((arg, i) => (arg, i)).Where(a => a.arg == "--publish").Select(a => run[a.i + 1].Split(':')).ToList();
        var hostPort = publishes.ToDictionary(p => int.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture), p => p[1]);
        var environment = docker.Environment().Where(e => e.Container == name).ToDictionary(e => e.Name, e => e.Value);
        var worker = File.ReadAllLines(exported);

        Assert.Equal([18888, 18889, 18890], hostPort.Keys.Order());
        Assert.Equal("ApiKey", environment["DASHBOARD__OTLP__AUTHMODE"]);
        Assert.Equal("BrowserToken", environment["DASHBOARD__FRONTEND__AUTHMODE"]);
        Assert.Equal("browser-token-0123456789", environment["DASHBOARD__FRONTEND__BROWSERTOKEN"]);
        var apiKey = environment["DASHBOARD__OTLP__PRIMARYAPIKEY"];
        Assert.Matches("^[0-9a-f]{32}$", apiKey);
        Assert.DoesNotContain(docker.Commands(), c => c.Any(arg => arg.Contains(apiKey, StringComparison.Ordinal)));

        // The worker exports to the container's OTLP/HTTP port with its key; the app host's own receiver is off, and
        // the login URL printed is the container's.
        Assert.Equal([$"http://localhost:{hostPort[18890]}", "http/protobuf", $"x-otlp-api-key={apiKey}"], worker);
        Assert.Null(app.Services.GetRequiredService<OtlpHttpServer>().Endpoint);
        Assert.Equal(new Uri($"http://localhost:{hostPort[18888]}/login?t=browser-token-0123456789"), app.Services.GetRequiredService<DashboardServer>().LoginUrl);
        var snapshot = notifications.GetSnapshot("worker")!;
        Assert.True(snapshot.Environment.Single(e => e.Name == "OTEL_EXPORTER_OTLP_HEADERS").IsSecret);
    }
}
