using Jarvis.Hosting.Dashboard;
using Jarvis.Hosting.Testing;
using Jarvis.Tests.Memory;
using Jarvis.Tests.Stack;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.Dashboard.Browser;

/// <summary>
/// The real app host with its own dashboard receiving the services' telemetry: a known API key, and a spec-following
/// fake Qdrant as the existing vector store, since no container engine runs here.
/// </summary>
public sealed class DashboardStackFixture : AppHostFixture
{
    public const string ApiKey = "dashboardbrowsertestsapikey0123";

    private FakeQdrantServer? _qdrant;

    public Uri LoginUrl => App.Services.GetRequiredService<DashboardServer>().LoginUrl ?? throw new InvalidOperationException("The dashboard did not start.");

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_qdrant is not null)
        {
            await _qdrant.DisposeAsync();
        }
    }

    protected override async Task BeforeBootAsync(CancellationToken cancellationToken) =>
        _qdrant = await FakeQdrantServer.StartAsync(apiKey: null, cancellationToken);

    protected override void Configure(DistributedApplicationTestingBuilder builder)
    {
        builder.Configuration["Parameters:jarvis-api-key"] = ApiKey;
        builder.Configuration["ConnectionStrings:qdrant"] = $"Endpoint={_qdrant!.BaseAddress.ToString().TrimEnd('/')}";
    }
}
