using Google.Protobuf;
using Jarvis.Hosting.Dashboard;
using Jarvis.Hosting.Dashboard.Otlp;
using Jarvis.Hosting.Dashboard.Telemetry;
using Jarvis.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Jarvis.Tests.Dashboard.Telemetry;

/// <summary>The dashboard's telemetry configuration as the app host binds it: validated, and SQLite storage when asked.</summary>
public sealed class TelemetryConfigurationTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("jarvis-telemetry-config-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Theory]
    [InlineData("Dashboard:TelemetryLimits:MaxLogCount", "0")]
    [InlineData("Dashboard:TelemetryLimits:MaxAttributeLength", "0")]
    [InlineData("Dashboard:OtlpMaxRequestBodySize", "10")]
    public void InvalidSettingsAreRefusedNamingTheSetting(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();
        using var services = new ServiceCollection().AddDashboardTelemetry(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() =>
            (services.GetRequiredService<IOptions<DashboardOptions>>().Value, services.GetRequiredService<IOptions<TelemetryLimitsOptions>>().Value));

        Assert.Contains(key.Split(':')[^1], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAppHostThatFailedToStartOnBadSettingsSaysWhyAndDisposesCleanly()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.Configuration["Dashboard:TelemetryLimits:MaxLogCount"] = "0";
        var app = await builder.BuildAsync(ct);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(ct));
        await app.DisposeAsync();

        Assert.Contains("MaxLogCount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SqliteStorageKeepsTelemetryInTheConfiguredFile()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_directory.FullName, "dashboard.db");
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.Configuration["Dashboard:Storage"] = "sqlite";
        builder.Configuration["Dashboard:SqlitePath"] = path;
        builder.Configuration["Dashboard:TelemetryLimits:MaxLogCount"] = "1";
        await using (var app = await builder.BuildAsync(ct))
        {
            await app.StartAsync(ct);
            var otlp = app.Services.GetRequiredService<OtlpHttpServer>();
            using var client = new HttpClient();
            using var content = new ByteArrayContent(OtlpRequests.Logs("api", "older", "kept").ToByteArray());
            content.Headers.ContentType = new("application/x-protobuf");
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(otlp.Endpoint!, "/v1/logs")) { Content = content };
            request.Headers.Add("x-otlp-api-key", otlp.ApiKey);
            (await client.SendAsync(request, ct)).EnsureSuccessStatusCode();
            await app.StopAsync(ct);
        }

        Assert.True(File.Exists(path));
        using var reopened = new TelemetryRepository(Options.Create(new TelemetryLimitsOptions()), TimeProvider.System, new SqliteTelemetryArchive(path));
        Assert.Equal(["kept"], reopened.GetLogs(new LogQuery()).Select(l => l.Message));
    }
}
