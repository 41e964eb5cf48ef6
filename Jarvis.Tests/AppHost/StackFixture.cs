using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Jarvis.Tests.Infrastructure.Ollama;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.AppHost;

/// <summary>
/// The real app host, started once through Aspire's testing builder with its dashboard, on a machine without a
/// container engine (<c>Jarvis:Containers=never</c>): memory and voice run on their embedded fallbacks, and Ollama is
/// an existing server (<c>ConnectionStrings:ollama</c>), the spec-following fake, so the api chats with
/// <c>llama3.2:1b</c> and memory embeds with <c>nomic-embed-text</c> as they would against a real one.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    /// <summary>How long the stack may take to turn healthy; a cold start on 2 cores takes about 20 s.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public const string ApiKey = "stack-test-api-key-0123456789abcdef";

    public static readonly string[] Services = ["api", "memory", "voice"];

    private readonly string _memoryData = Path.Combine(Path.GetTempPath(), $"jarvis-stack-{Guid.NewGuid():N}");

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The Ollama server the stack is given, with the AppHost's two models.</summary>
    public FakeOllamaServer Ollama { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        Ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b", "nomic-embed-text"], timeout.Token);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Jarvis_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = true },
            ["--Jarvis:Containers=never", $"--Parameters:jarvis-api-key={ApiKey}", $"--ConnectionStrings:ollama=Endpoint={Ollama.BaseAddress}"],
            timeout.Token);
        builder.CreateResourceBuilder<ProjectResource>("memory").WithEnvironment("Memory__Embedded__DataDirectory", _memoryData);

        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        var notifications = App.Services.GetRequiredService<ResourceNotificationService>();
        foreach (var service in Services)
        {
            await notifications.WaitForResourceHealthyAsync(service, timeout.Token);
        }
    }

    /// <summary>A client of the api that sends the API key.</summary>
    public HttpClient CreateApiClient()
    {
        var client = App.CreateHttpClient("api");
        client.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (Ollama is not null)
        {
            await Ollama.DisposeAsync();
        }

        if (Directory.Exists(_memoryData))
        {
            Directory.Delete(_memoryData, recursive: true);
        }
    }
}
