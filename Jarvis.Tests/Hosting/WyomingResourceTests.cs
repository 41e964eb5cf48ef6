using Jarvis.Hosting;
using Jarvis.Hosting.ApplicationModel;
using Jarvis.Hosting.Testing;
using Microsoft.Extensions.Configuration;

namespace Jarvis.Tests.Hosting;

/// <summary>The Wyoming voice server resources: tcp endpoints, connection strings and existing servers.</summary>
public sealed class WyomingResourceTests
{
    [Fact]
    public async Task VoiceGetsEachServersTcpEndpointAsItsConnectionString()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = DistributedApplicationTestingBuilder.Create().ApplicationBuilder;
        var stt = builder.AddWyomingWhisper("stt");
        var tts = builder.AddWyomingPiper("tts");
        var voice = builder.AddProject<Projects.Jarvis_Voice>("voice").WithReference(stt).WithReference(tts);
        Allocate(stt.Resource, 41300);
        Allocate(tts.Resource, 41200);

        var environment = await RunEnvironmentAsync(voice.Resource, ct);

        Assert.Equal("Endpoint=tcp://localhost:41300", environment["ConnectionStrings__stt"]);
        Assert.Equal("Endpoint=tcp://localhost:41200", environment["ConnectionStrings__tts"]);
        Assert.Equal("Endpoint={stt.bindings.tcp.url}", stt.Resource.ConnectionStringExpression.ValueExpression);
        Assert.Equal("Voice uses its local engines instead.", stt.Resource.UnavailableImpact);
        Assert.Equal(tts.Resource.UnavailableImpact, stt.Resource.UnavailableImpact);
    }

    [Fact]
    public async Task AConfiguredConnectionStringStandsInForTheContainer()
    {
        var ct = TestContext.Current.CancellationToken;
        var stt = DistributedApplicationTestingBuilder.Create().ApplicationBuilder.AddWyomingWhisper("stt");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:stt"] = "Endpoint=tcp://voice-box:10300" })
            .Build();

        var description = await stt.Resource.UseExistingInstanceAsync(configuration, containerEngineAvailable: false, ct);

        Assert.Equal("ConnectionStrings:stt", description);
        Assert.Equal("Endpoint=tcp://voice-box:10300", await stt.Resource.ConnectionStringExpression.GetValueAsync(ct));
    }

    private static void Allocate(ContainerResource resource, int port)
    {
        var endpoint = Assert.Single(resource.Endpoints);
        endpoint.Allocated = new AllocatedEndpoint(endpoint.Scheme, "localhost", port, endpoint.TargetPort ?? port);
    }

    private static async Task<Dictionary<string, string?>> RunEnvironmentAsync(ProjectResource resource, CancellationToken ct)
    {
        var context = new EnvironmentContext(new DistributedApplicationExecutionContext(isPublishMode: false));
        foreach (var callback in resource.EnvironmentCallbacks)
        {
            callback(context);
        }

        var values = new Dictionary<string, string?>();
        foreach (var (name, value) in context.EnvironmentVariables)
        {
            values[name] = value is IExpressionValue expression ? await expression.GetValueAsync(ct) : (string)value;
        }

        return values;
    }
}
