using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Jarvis.Tests.AppHost;

/// <summary>A local run tells the api where its dashboard is, so the page links every reply to its trace; a manifest does not.</summary>
public sealed class DashboardLinkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ALocalRunPassesTheDashboardsFirstUrlToTheApi()
    {
        var builder = await AppHostModel.ComposeAsync(Ct, "--Jarvis:Containers=never", "--ASPNETCORE_URLS=https://localhost:17001;http://localhost:15001");
        var api = builder.Resource<ProjectResource>("api");
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), api, [], Ct);
        foreach (var callback in api.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        Assert.Equal("https://localhost:17001", context.EnvironmentVariables["Jarvis__DashboardUrl"]);
    }

    [Fact]
    public async Task TheManifestLeavesItToTheDeployment()
    {
        var builder = await AppHostModel.ComposeAsync(Ct, "--Jarvis:Containers=never", "--ASPNETCORE_URLS=http://localhost:15001");

        Assert.DoesNotContain("Jarvis__DashboardUrl", (await builder.PublishedEnvironmentAsync("api")).Keys);
    }
}
