using System.Net;
using System.Text.Json;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.ServiceDefaults;

/// <summary>
/// The disk and memory readiness checks every service gets: their thresholds, readiness only (a full disk never fails
/// liveness), their gauges on /metrics, and thresholds that contradict each other stopping the start.
/// </summary>
public sealed class ResourceHealthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("0", "0", "Healthy", HttpStatusCode.OK)]
    [InlineData("1", "0", "Degraded", HttpStatusCode.OK)]
    [InlineData("1", "1", "Unhealthy", HttpStatusCode.ServiceUnavailable)]
    public async Task TheDiskCheckFollowsItsThresholdsAndNeverFailsLiveness(string degradedBelow, string unhealthyBelow, string expected, HttpStatusCode readiness)
    {
        await using var service = await TestService.StartAsync(Ct, settings: new Dictionary<string, string?>
        {
            ["Health:Resources:DiskDegradedBelow"] = degradedBelow,
            ["Health:Resources:DiskUnhealthyBelow"] = unhealthyBelow,
        });
        using var client = service.CreateClient();

        using var health = await client.GetAsync("/health", Ct);
        var disk = Check(await health.Content.ReadAsStringAsync(Ct), "disk");

        Assert.Equal(readiness, health.StatusCode);
        Assert.Equal(expected, disk.GetProperty("status").GetString());
        Assert.Contains("of the disk under", disk.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", Ct)).StatusCode);
    }

    [Theory]
    [InlineData("1", "1", "Healthy")]
    [InlineData("0", "1", "Degraded")]
    [InlineData("0", "0", "Unhealthy")]
    public async Task TheMemoryCheckFollowsItsThresholds(string degradedAbove, string unhealthyAbove, string expected)
    {
        await using var service = await TestService.StartAsync(Ct, settings: new Dictionary<string, string?>
        {
            ["Health:Resources:MemoryDegradedAbove"] = degradedAbove,
            ["Health:Resources:MemoryUnhealthyAbove"] = unhealthyAbove,
        });
        using var client = service.CreateClient();

        using var health = await client.GetAsync("/health", Ct);
        var memory = Check(await health.Content.ReadAsStringAsync(Ct), "process-memory");

        Assert.Equal(expected, memory.GetProperty("status").GetString());
        Assert.Contains("of the memory limit", memory.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", Ct)).StatusCode);
    }

    [Fact]
    public async Task TheResourcesArePublishedAsGaugesFromTheStartBeforeAnyHealthCheck()
    {
        await using var service = await TestService.StartAsync(Ct);
        using var client = service.CreateClient();

        var metrics = await client.GetStringAsync("/metrics", Ct);

        foreach (var gauge in (string[])["resource_disk_free_ratio", "resource_memory_used_ratio"])
        {
            var line = metrics.Split('\n').Single(l => l.StartsWith(gauge + "{", StringComparison.Ordinal));
            var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(value, 0.0, 1.0);
            Assert.True(value > 0, $"{gauge} is {value}");
        }
    }

    [Fact]
    public async Task ThresholdsThatContradictEachOtherStopTheStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await TestService.StartAsync(Ct, settings: new Dictionary<string, string?>
        {
            ["Health:Resources:DiskDegradedBelow"] = "0.05",
            ["Health:Resources:DiskUnhealthyBelow"] = "0.20",
        }));

        Assert.Contains("DiskUnhealthyBelow", error.Message, StringComparison.Ordinal);
    }

    private static JsonElement Check(string body, string name) =>
        JsonDocument.Parse(body).RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).Clone();
}
