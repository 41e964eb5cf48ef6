using Jarvis.Hosting.Testing;

namespace Jarvis.Tests.Hosting;

public class SmokeTests
{
    [Fact]
    public async Task Boots()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Jarvis_AppHost>(TestContext.Current.CancellationToken);
        await using var app = await builder.BuildAsync(TestContext.Current.CancellationToken);
        await app.StartAsync(TestContext.Current.CancellationToken);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("api", TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        using var client = app.CreateHttpClient("api");
        var response = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode);
    }
}
