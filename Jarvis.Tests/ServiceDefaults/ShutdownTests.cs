using System.Net;
using Jarvis.ServiceDefaults.Shutdown;
using Jarvis.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Jarvis.Tests.ServiceDefaults;

public sealed class ShutdownTests
{
    [Fact]
    public async Task ShutdownTimeoutDefaultsToThirtySecondsAndIsConfigurable()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var defaults = await TestService.StartAsync(ct);
        await using var configured = await TestService.StartAsync(ct, settings: new Dictionary<string, string?> { ["Shutdown:Timeout"] = "00:00:07" });

        Assert.Equal(TimeSpan.FromSeconds(30), defaults.App.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), configured.App.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Fact]
    public async Task DrainWorkRunsWhileTheServerStillServesAndBeforeTheHostStops()
    {
        var ct = TestContext.Current.CancellationToken;
        var drain = new RecordingDrain();
        await using var service = await TestService.StartAsync(
            ct,
            app => app.MapGet("/work", () => "done"),
            configure: builder => builder.Services.AddSingleton(drain).AddDrainParticipant<RecordingDrain>());
        drain.Client = service.CreateClient();

        await service.App.StopAsync(ct);

        Assert.Equal(HttpStatusCode.OK, drain.WorkStatus);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, drain.ReadinessStatus);
        Assert.True(drain.WasDrainingWhenCalled);
        Assert.Contains(service.Logs.Records, r => r.Message == "Drain completed");
    }

    [Fact]
    public async Task DrainThatOverrunsTheTimeoutIsCancelledAndTheHostStillStops()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var service = await TestService.StartAsync(
            ct,
            settings: new Dictionary<string, string?> { ["Shutdown:Timeout"] = "00:00:00.500" },
            configure: builder => builder.Services.AddDrainParticipant<EndlessDrain>());

        await service.App.StopAsync(ct);

        Assert.Contains(service.Logs.Records, r => r.Message.StartsWith("Drain did not finish", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvalidShutdownTimeoutFailsAtStart()
    {
        var ct = TestContext.Current.CancellationToken;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestService.StartAsync(ct, settings: new Dictionary<string, string?> { ["Shutdown:Timeout"] = "02:00:00" }));

        Assert.Contains("Timeout", error.Message, StringComparison.Ordinal);
    }

    private sealed class RecordingDrain : IDrainParticipant
    {
        public HttpClient? Client { get; set; }

        public HttpStatusCode? WorkStatus { get; private set; }

        public HttpStatusCode? ReadinessStatus { get; private set; }

        public bool WasDrainingWhenCalled { get; private set; }

        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            using var work = await Client!.GetAsync("/work", cancellationToken);
            using var readiness = await Client.GetAsync("/health", cancellationToken);
            WorkStatus = work.StatusCode;
            ReadinessStatus = readiness.StatusCode;
            WasDrainingWhenCalled = readiness.StatusCode == HttpStatusCode.ServiceUnavailable;
        }
    }

    private sealed class EndlessDrain : IDrainParticipant
    {
        public Task DrainAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
