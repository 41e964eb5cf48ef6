using Jarvis.Hosting.Dashboard;
using Jarvis.Hosting.Dashboard.Otlp;
using Jarvis.Hosting.Dashboard.Telemetry;
using Jarvis.Hosting.Orchestration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Jarvis.Tests.Infrastructure.Otlp;

/// <summary>
/// The dashboard's own OTLP/HTTP receiver and telemetry repository, started on a free loopback port, as the tests'
/// OTLP endpoint; with SQLite storage when a path is given.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    public const string DefaultApiKey = "test-key";

    private readonly OtlpHttpServer _server;

    private OtlpReceiver(OtlpHttpServer server, TelemetryRepository repository)
    {
        _server = server;
        Repository = repository;
    }

    public TelemetryRepository Repository { get; }

    public Uri HttpEndpoint => _server.Endpoint!;

    public string ApiKey => _server.ApiKey;

    /// <summary>Every span kept, in waterfall order per trace.</summary>
    public IReadOnlyList<SpanEntry> Spans =>
        [.. Repository.GetTraces(new TraceQuery(Limit: int.MaxValue)).SelectMany(t => Repository.GetTrace(t.TraceId)?.Spans ?? [])];

    /// <summary>Every log record kept, newest first.</summary>
    public IReadOnlyList<LogEntry> Logs => Repository.GetLogs(new LogQuery(Limit: int.MaxValue));

    public static async Task<OtlpReceiver> StartAsync(
        CancellationToken cancellationToken, string apiKey = DefaultApiKey, TelemetryLimitsOptions? limits = null, string? sqlitePath = null, long? maxBodyBytes = null)
    {
        var dashboard = new DashboardOptions { OtlpHttpUrl = new Uri("http://127.0.0.1:0"), OtlpApiKey = apiKey };
        if (maxBodyBytes is { } max)
        {
            dashboard.OtlpMaxRequestBodySize = max;
        }

        var repository = new TelemetryRepository(
            Options.Create(limits ?? new TelemetryLimitsOptions()), TimeProvider.System, sqlitePath is null ? null : new SqliteTelemetryArchive(sqlitePath));
        var server = new OtlpHttpServer(Options.Create(dashboard), Options.Create(new OrchestratorOptions()), repository, NullLogger<OtlpHttpServer>.Instance);
        await server.StartAsync(cancellationToken);
        return new OtlpReceiver(server, repository);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync(CancellationToken.None);
        await _server.DisposeAsync();
        Repository.Dispose();
    }
}
