using System.Runtime.Versioning;
using Aspire.Hosting.ApplicationModel;
using Jarvis.AppHost;

namespace Jarvis.Tests.AppHost;

/// <summary>
/// How the app host composes Qdrant, Ollama and the Wyoming servers: containers when an engine can run them,
/// existing servers named by connection strings, or nothing, by <c>Jarvis:Containers</c>.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class BackingServicesTests
{
    private static readonly string[] BackingResources = ["qdrant", "ollama", "ollama-llama3-2", "ollama-nomic-embed-text", "stt", "tts"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NeverLeavesOutEveryBackingServiceAndTheProjectsReferenceNone()
    {
        await using var builder = await AppHostModel.ComposeAsync(Ct, "--Jarvis:Containers=never");

        Assert.Empty(builder.Resources.OfType<ContainerResource>());
        Assert.DoesNotContain(builder.Resources, r => BackingResources.Contains(r.Name));
        Assert.DoesNotContain(builder.Resource<ProjectResource>("memory").Annotations.OfType<WaitAnnotation>(), w => w.Resource.Name == "qdrant");
        var memory = await builder.PublishedEnvironmentAsync("memory");
        Assert.DoesNotContain(memory.Keys, key => key.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AlwaysComposesEveryContainerWithTheOfficialImagesPortsAndConnectionStrings()
    {
        await using var builder = await AppHostModel.ComposeAsync(Ct, "--Jarvis:Containers=always");

        var qdrant = builder.Resource<QdrantServerResource>("qdrant");
        Assert.Equal("qdrant/qdrant", qdrant.Annotations.OfType<ContainerImageAnnotation>().Single().Image);
        var endpoints = qdrant.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
        Assert.Equal((6334, "http2"), (endpoints["grpc"].TargetPort, endpoints["grpc"].Transport));
        Assert.Equal(6333, endpoints["http"].TargetPort);
        Assert.Equal("Endpoint={qdrant.bindings.grpc.url};Key={qdrant-Key.value}", qdrant.ConnectionStringExpression.ValueExpression);

        var ollama = builder.Resource<OllamaResource>("ollama");
        Assert.Equal(11434, Assert.Single(ollama.Annotations.OfType<EndpointAnnotation>()).TargetPort);
        Assert.Equal(["llama3.2:1b", "nomic-embed-text"], ollama.Models);
        var llm = builder.Resource<OllamaModelResource>("ollama-llama3-2");
        Assert.Same(ollama, llm.Parent);
        Assert.Equal("{ollama.connectionString};Model=llama3.2:1b", llm.ConnectionStringExpression.ValueExpression);

        var stt = builder.Resource<WyomingServerResource>("stt");
        var sttEndpoint = Assert.Single(stt.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal((10300, "tcp"), (sttEndpoint.TargetPort, sttEndpoint.UriScheme));
        Assert.Equal(10200, Assert.Single(builder.Resource<WyomingServerResource>("tts").Annotations.OfType<EndpointAnnotation>()).TargetPort);

        var memory = await builder.PublishedEnvironmentAsync("memory");
        Assert.Equal("{qdrant.connectionString}", memory["ConnectionStrings__qdrant"]);
        Assert.Equal("Endpoint={qdrant.bindings.http.url};Key={qdrant-Key.value}", memory["ConnectionStrings__qdrant_http"]);
        Assert.Equal("{ollama-nomic-embed-text.connectionString}", memory["ConnectionStrings__ollama-nomic-embed-text"]);
        Assert.Contains(builder.Resource<ProjectResource>("memory").Annotations.OfType<WaitAnnotation>(), w => w.Resource == qdrant);
        var api = await builder.PublishedEnvironmentAsync("api");
        Assert.Equal("{ollama-llama3-2.connectionString}", api["ConnectionStrings__ollama-llama3-2"]);
        var voice = await builder.PublishedEnvironmentAsync("voice");
        Assert.Equal("{stt.connectionString}", voice["ConnectionStrings__stt"]);
        Assert.Equal("{tts.connectionString}", voice["ConnectionStrings__tts"]);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public async Task AutoRunsContainersExactlyWhenTheRuntimeAnswersInfo(int exitCode, bool containers)
    {
        var runtime = StandInRuntime(exitCode);
        try
        {
            await using var builder = await AppHostModel.ComposeAsync(Ct, "--Jarvis:Containers=auto", $"--ASPIRE_CONTAINER_RUNTIME={runtime}");

            Assert.Equal(containers ? 4 : 0, builder.Resources.OfType<ContainerResource>().Count());
            Assert.Equal(containers, builder.Resources.Any(r => r.Name == "ollama-llama3-2"));
        }
        finally
        {
            File.Delete(runtime);
        }
    }

    [Fact]
    public async Task AMissingRuntimeMeansNoContainers()
    {
        await using var builder = await AppHostModel.ComposeAsync(Ct, "--ASPIRE_CONTAINER_RUNTIME=/nonexistent/docker");

        Assert.Empty(builder.Resources.OfType<ContainerResource>());
    }

    [Fact]
    public async Task ExistingServersNamedByConnectionStringsAreUsedInsteadOfContainers()
    {
        await using var builder = await AppHostModel.ComposeAsync(
            Ct,
            "--Jarvis:Containers=always",
            "--ConnectionStrings:qdrant=Endpoint=http://qdrant.internal:6333;Key=secret-key",
            "--ConnectionStrings:ollama=Endpoint=http://gpu-box:11434");

        Assert.DoesNotContain(builder.Resources, r => r is QdrantServerResource or OllamaResource);
        var qdrant = builder.Resource<IResourceWithConnectionString>("qdrant");
        Assert.Equal("Endpoint=http://qdrant.internal:6333;Key=secret-key", await qdrant.GetConnectionStringAsync(Ct));
        var llm = builder.Resource<IResourceWithConnectionString>("ollama-llama3-2");
        Assert.Equal("Endpoint=http://gpu-box:11434;Model=llama3.2:1b", await llm.GetConnectionStringAsync(Ct));
        var embeddings = builder.Resource<IResourceWithConnectionString>("ollama-nomic-embed-text");
        Assert.Equal("Endpoint=http://gpu-box:11434;Model=nomic-embed-text", await embeddings.GetConnectionStringAsync(Ct));

        // An existing server is not waited for: it is not the app host's to start.
        Assert.DoesNotContain(builder.Resource<ProjectResource>("memory").Annotations.OfType<WaitAnnotation>(), w => w.Resource.Name == "qdrant");

        // The Wyoming servers still run as containers.
        Assert.Equal(["stt", "tts"], builder.Resources.OfType<WyomingServerResource>().Select(r => r.Name));
    }

    [Theory]
    [InlineData("sometimes")]
    [InlineData("yes")]
    public async Task AnUnknownContainersSettingStopsTheAppHostNamingIt(string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AppHostModel.ComposeAsync(Ct, $"--Jarvis:Containers={value}"));

        var setting = Assert.IsType<AppHostSettingException>(Innermost(error));
        Assert.Equal(BackingServices.ContainersKey, setting.Key);
        Assert.Equal($"Jarvis:Containers must be auto, always or never; it is '{value}'.", setting.Message);
    }

    [Theory]
    [InlineData("qdrant", "garbage-with-secret")]
    [InlineData("ollama", "Model=llama3.2:1b;Key=secret")]
    [InlineData("stt", "Endpoint=not a url")]
    public async Task AMalformedConnectionStringStopsTheAppHostNamingItButNotItsValue(string name, string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AppHostModel.ComposeAsync(Ct, $"--ConnectionStrings:{name}={value}"));

        var setting = Assert.IsType<AppHostSettingException>(Innermost(error));
        Assert.Equal($"ConnectionStrings:{name}", setting.Key);
        Assert.StartsWith($"ConnectionStrings:{name} ", setting.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", setting.Message, StringComparison.Ordinal);
    }

    private static Exception Innermost(Exception error) => error.InnerException is { } inner ? Innermost(inner) : error;

    /// <summary>A stand-in container CLI whose <c>info</c> exits with <paramref name="exitCode"/>.</summary>
    private static string StandInRuntime(int exitCode)
    {
        var path = Path.Combine(Path.GetTempPath(), $"jarvis-runtime-{Guid.NewGuid():N}");
        File.WriteAllText(path, $"#!/bin/sh\necho 'stand-in runtime' >&2\nexit {exitCode}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
