using Jarvis.Hosting;
using Jarvis.Hosting.ApplicationModel;
using Jarvis.Hosting.Testing;
using Microsoft.Extensions.Configuration;

namespace Jarvis.Tests.Hosting;

/// <summary>
/// The app model's output: the environment each resource gets in run mode (values) and in publish mode (manifest
/// expressions), endpoints, waits, health checks, names, volumes and parameters.
/// </summary>
public sealed class AppModelEnvironmentTests
{
    private static DistributedApplicationBuilder NewBuilder() => DistributedApplicationTestingBuilder.Create().ApplicationBuilder;

    private static Dictionary<string, object> Evaluate(IResourceWithEnvironment resource, bool publish)
    {
        var context = new EnvironmentContext(new DistributedApplicationExecutionContext(isPublishMode: publish));
        foreach (var callback in resource.EnvironmentCallbacks)
        {
            callback(context);
        }

        return context.EnvironmentVariables;
    }

    private static Dictionary<string, string> PublishEnvironment(IResourceWithEnvironment resource) =>
        Evaluate(resource, publish: true).ToDictionary(v => v.Key, v => v.Value is IExpressionValue expression ? expression.ValueExpression : (string)v.Value);

    private static async Task<Dictionary<string, string?>> RunEnvironmentAsync(IResourceWithEnvironment resource, CancellationToken ct)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (name, value) in Evaluate(resource, publish: false))
        {
            values[name] = value is IExpressionValue expression ? await expression.GetValueAsync(ct) : (string)value;
        }

        return values;
    }

    private static void Allocate(IResourceWithEndpoints resource, string endpointName, int port, int? targetPort = null)
    {
        var endpoint = resource.Endpoints.Single(e => e.Name == endpointName);
        endpoint.Allocated = new AllocatedEndpoint(endpoint.Scheme, "localhost", port, targetPort ?? endpoint.TargetPort ?? port);
    }

    [Fact]
    public async Task ReferenceToProjectInjectsServiceDiscoveryVariables()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();
        var memory = builder.AddProject<Projects.Jarvis_Memory>("memory");
        var api = builder.AddProject<Projects.Jarvis_Api>("api").WithReference(memory);
        Allocate(memory.Resource, "http", 15081);

        var run = await RunEnvironmentAsync(api.Resource, ct);
        var publish = PublishEnvironment(api.Resource);

        Assert.Equal("http://localhost:15081", run["services__memory__http__0"]);
        Assert.Equal("http://localhost:15081", run["MEMORY_HTTP"]);
        Assert.Equal("{memory.bindings.http.url}", publish["services__memory__http__0"]);
        Assert.Equal("{memory.bindings.http.url}", publish["MEMORY_HTTP"]);
    }

    [Fact]
    public async Task ReferenceToHyphenatedProjectUsesUpperCaseUnderscoreVariable()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();
        var voice = builder.AddProject<Projects.Jarvis_Voice>("voice-2");
        var api = builder.AddProject<Projects.Jarvis_Api>("api").WithReference(voice);
        Allocate(voice.Resource, "http", 15082);

        var run = await RunEnvironmentAsync(api.Resource, ct);

        Assert.Equal("http://localhost:15082", run["services__voice-2__http__0"]);
        Assert.Equal("http://localhost:15082", run["VOICE_2_HTTP"]);
        Assert.DoesNotContain("voice-2_HTTP", run.Keys);
    }

    [Fact]
    public async Task ReferenceToQdrantInjectsGrpcAndHttpConnectionStrings()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();
        var qdrant = builder.AddQdrant("qdrant");
        var memory = builder.AddProject<Projects.Jarvis_Memory>("memory").WithReference(qdrant);
        Allocate(qdrant.Resource, "grpc", 16334);
        Allocate(qdrant.Resource, "http", 16333);
        qdrant.Resource.ApiKeyParameter.Value = "k3y";

        var run = await RunEnvironmentAsync(memory.Resource, ct);
        var publish = PublishEnvironment(memory.Resource);

        Assert.Equal("Endpoint=http://localhost:16334;Key=k3y", run["ConnectionStrings__qdrant"]);
        Assert.Equal("Endpoint=http://localhost:16333;Key=k3y", run["ConnectionStrings__qdrant_http"]);
        Assert.Equal("Endpoint={qdrant.bindings.grpc.url};Key={qdrant-Key.value}", publish["ConnectionStrings__qdrant"]);
        Assert.Equal("Endpoint={qdrant.bindings.http.url};Key={qdrant-Key.value}", publish["ConnectionStrings__qdrant_http"]);
        Assert.Equal("Endpoint={qdrant.bindings.grpc.url};Key={qdrant-Key.value}", qdrant.Resource.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public async Task QdrantContainerGetsItsApiKeyAndNoWebUiWhenDeployed()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();
        var qdrant = builder.AddQdrant("qdrant");
        qdrant.Resource.ApiKeyParameter.Value = "k3y";

        var run = await RunEnvironmentAsync(qdrant.Resource, ct);
        var publish = PublishEnvironment(qdrant.Resource);

        Assert.Equal(new Dictionary<string, string?> { ["QDRANT__SERVICE__API_KEY"] = "k3y" }, run);
        Assert.Equal(
            new Dictionary<string, string> { ["QDRANT__SERVICE__API_KEY"] = "{qdrant-Key.value}", ["QDRANT__SERVICE__ENABLE_STATIC_CONTENT"] = "0" },
            publish);
        var key = Assert.IsType<ParameterResource>(Assert.Single(builder.Resources, r => r.Name == "qdrant-Key"));
        Assert.Same(qdrant.Resource.ApiKeyParameter, key);
        Assert.True(key.Secret);
        Assert.Equal(["grpc", "http"], qdrant.Resource.Endpoints.Select(e => e.Name));
        Assert.Equal([6334, 6333], qdrant.Resource.Endpoints.Select(e => e.TargetPort));
        Assert.Equal("http2", qdrant.Resource.Endpoints[0].Transport);
        Assert.Equal("docker.io/qdrant/qdrant:v1.16.3", qdrant.Resource.ImageReference);
        Assert.Equal([new HttpHealthCheckAnnotation("/readyz", "http")], qdrant.Resource.HealthChecks);
    }

    [Fact]
    public async Task ReferenceToOllamaModelInjectsEndpointAndModel()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();
        var ollama = builder.AddOllama("ollama");
        var llm = ollama.AddModel("llama3.2:1b");
        var api = builder.AddProject<Projects.Jarvis_Api>("api").WithReference(llm);
        Allocate(ollama.Resource, "http", 21434);

        var run = await RunEnvironmentAsync(api.Resource, ct);
        var publish = PublishEnvironment(api.Resource);

        Assert.Equal("Endpoint=http://localhost:21434;Model=llama3.2:1b", run["ConnectionStrings__ollama-llama3-2"]);
        Assert.Equal("{ollama-llama3-2.connectionString}", publish["ConnectionStrings__ollama-llama3-2"]);
        Assert.Equal("{ollama.connectionString};Model=llama3.2:1b", llm.Resource.ConnectionStringExpression.ValueExpression);
        Assert.Equal("Endpoint={ollama.bindings.http.url}", ollama.Resource.ConnectionStringExpression.ValueExpression);
        Assert.Equal(11434, Assert.Single(ollama.Resource.Endpoints).TargetPort);
        Assert.Equal([new HttpHealthCheckAnnotation("/", "http")], ollama.Resource.HealthChecks);
    }

    [Theory]
    [InlineData("llama3.2:1b", "ollama-llama3-2")]
    [InlineData("nomic-embed-text", "ollama-nomic-embed-text")]
    [InlineData("hf.co/org/phi3.5:q4", "ollama-phi3-5")]
    public void AddModelNamesTheResourceAfterTheModelWithoutItsTag(string model, string expectedName)
    {
        var builder = NewBuilder();
        var ollama = builder.AddOllama("ollama");

        var added = ollama.AddModel(model);

        Assert.Equal(expectedName, added.Resource.Name);
        Assert.Equal(model, added.Resource.ModelName);
        Assert.Same(ollama.Resource, added.Resource.Parent);
        Assert.Same(added.Resource, Assert.Single(ollama.Resource.Models));
        Assert.Contains(added.Resource, builder.Resources);
    }

    [Fact]
    public async Task WithEnvironmentTakesStringsExpressionsAndParameters()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();
        var apiKey = builder.AddParameter("jarvis-api-key", secret: true);
        var memory = builder.AddProject<Projects.Jarvis_Memory>("memory");
        var api = builder.AddProject<Projects.Jarvis_Api>("api")
            .WithEnvironment("Plain", "value")
            .WithEnvironment("Memory__BaseUrl", ReferenceExpression.Create($"{memory.GetEndpoint("http")}/v1"))
            .WithEnvironment("Memory__Port", memory.GetEndpoint("http").Property(EndpointProperty.Port))
            .WithEnvironment("Jarvis__ApiKey", apiKey);
        Allocate(memory.Resource, "http", 15081, targetPort: 8080);
        apiKey.Resource.Value = "s3cret";

        var run = await RunEnvironmentAsync(api.Resource, ct);
        var publish = PublishEnvironment(api.Resource);

        Assert.Equal("value", run["Plain"]);
        Assert.Equal("http://localhost:15081/v1", run["Memory__BaseUrl"]);
        Assert.Equal("15081", run["Memory__Port"]);
        Assert.Equal("s3cret", run["Jarvis__ApiKey"]);
        Assert.Equal("value", publish["Plain"]);
        Assert.Equal("{memory.bindings.http.url}/v1", publish["Memory__BaseUrl"]);
        Assert.Equal("{memory.bindings.http.port}", publish["Memory__Port"]);
        Assert.Equal("{jarvis-api-key.value}", publish["Jarvis__ApiKey"]);
    }

    [Fact]
    public async Task ParameterWithoutValueFailsInRunModeNamingItsConfigurationKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();
        var region = builder.AddParameter("region");
        var api = builder.AddProject<Projects.Jarvis_Api>("api").WithEnvironment("Region", region);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RunEnvironmentAsync(api.Resource, ct));

        Assert.Contains("Parameters:region", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointThatIsNotAllocatedFailsInRunModeButNotInPublishMode()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();
        var memory = builder.AddProject<Projects.Jarvis_Memory>("memory");
        var api = builder.AddProject<Projects.Jarvis_Api>("api").WithReference(memory);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RunEnvironmentAsync(api.Resource, ct));

        Assert.Contains("memory", error.Message, StringComparison.Ordinal);
        Assert.Equal("{memory.bindings.http.url}", PublishEnvironment(api.Resource)["MEMORY_HTTP"]);
    }

    [Fact]
    public async Task ProjectTakesPortAndEnvironmentOfItsHttpLaunchProfileInRunMode()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();

        var api = builder.AddProject<Projects.Jarvis_Api>("api");
        Allocate(api.Resource, "http", 5080);
        var run = await RunEnvironmentAsync(api.Resource, ct);

        var endpoint = Assert.Single(api.Resource.Endpoints);
        Assert.Equal(("http", "http", "http", "tcp"), (endpoint.Name, endpoint.Scheme, endpoint.Transport, endpoint.Protocol));
        Assert.Equal(5080, endpoint.Port);
        Assert.Null(endpoint.TargetPort);
        Assert.False(endpoint.IsExternal);
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true",
                ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true",
                ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
            },
            run);
    }

    [Fact]
    public void ProjectIsHostedBehindIngressInPublishMode()
    {
        var builder = NewBuilder();

        var api = builder.AddProject<Projects.Jarvis_Api>("api");
        var publish = PublishEnvironment(api.Resource);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true",
                ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true",
                ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
                ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true",
                ["HTTP_PORTS"] = "{api.bindings.http.targetPort}",
            },
            publish);
        Assert.Equal(
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES", "OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES", "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "ASPNETCORE_FORWARDEDHEADERS_ENABLED", "HTTP_PORTS"],
            publish.Keys);
    }

    [Fact]
    public void EachServiceProjectListensOnItsOwnLaunchProfilePort()
    {
        var builder = NewBuilder();

        var api = builder.AddProject<Projects.Jarvis_Api>("api");
        var memory = builder.AddProject<Projects.Jarvis_Memory>("memory");
        var voice = builder.AddProject<Projects.Jarvis_Voice>("voice");

        Assert.Equal([5080, 5081, 5082], new[] { api, memory, voice }.Select(p => Assert.Single(p.Resource.Endpoints).Port));
    }

    [Fact]
    public async Task LaunchProfileIsReadWithCommentsTrailingCommasAndHttpsFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("jarvis-appmodel-");
        try
        {
            Directory.CreateDirectory(Path.Combine(directory.FullName, "Properties"));
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "Properties", "launchSettings.json"), """
                {
                  // Visual Studio writes comments and trailing commas.
                  "profiles": {
                    "https": { "applicationUrl": "https://localhost:7001;http://localhost:5001" },
                    "http": {
                      "applicationUrl": "https://localhost:7002; http://localhost:5002",
                      "environmentVariables": { "Greeting": "hi", },
                    },
                  },
                }
                """, ct);
            var project = Path.Combine(directory.FullName, "Tool.csproj");
            var builder = NewBuilder();

            var tool = builder.AddProject("tool", new TestProject(project, Path.ChangeExtension(project, ".dll")));
            var run = await RunEnvironmentAsync(tool.Resource, ct);

            Assert.Equal(5002, Assert.Single(tool.Resource.Endpoints).Port);
            Assert.Equal("hi", run["Greeting"]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ProjectWithoutLaunchSettingsGetsAnUnfixedPortAndNoProfileEnvironment()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("jarvis-appmodel-");
        try
        {
            var project = Path.Combine(directory.FullName, "Tool.csproj");
            var builder = NewBuilder();

            var tool = builder.AddProject("tool", new TestProject(project, Path.ChangeExtension(project, ".dll")));
            var run = await RunEnvironmentAsync(tool.Resource, ct);

            Assert.Null(Assert.Single(tool.Resource.Endpoints).Port);
            Assert.Equal(
                ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES", "OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES", "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"],
                run.Keys);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void WithExternalHttpEndpointsMarksOnlyThatResourceExternal()
    {
        var builder = NewBuilder();
        var memory = builder.AddProject<Projects.Jarvis_Memory>("memory");

        var api = builder.AddProject<Projects.Jarvis_Api>("api").WithReference(memory).WithExternalHttpEndpoints();

        Assert.True(Assert.Single(api.Resource.Endpoints).IsExternal);
        Assert.False(Assert.Single(memory.Resource.Endpoints).IsExternal);
    }

    [Fact]
    public void WithHttpEndpointAddsANamedEndpointAndRejectsADuplicateName()
    {
        var builder = NewBuilder();
        var cache = builder.AddContainer("cache", "docker.io/library/redis", "7");

        cache.WithHttpEndpoint(port: 8001, targetPort: 8002, name: "ui");

        var endpoint = Assert.Single(cache.Resource.Endpoints);
        Assert.Equal(("ui", 8001, 8002), (endpoint.Name, endpoint.Port, endpoint.TargetPort));
        Assert.Throws<InvalidOperationException>(() => cache.WithHttpEndpoint(name: "ui"));
    }

    [Fact]
    public void WaitForAndWaitForCompletionAddWaitAnnotations()
    {
        var builder = NewBuilder();
        var qdrant = builder.AddQdrant("qdrant");
        var migrate = builder.AddExecutable("migrate", "dotnet", ".", "ef", "database", "update");
        var memory = builder.AddProject<Projects.Jarvis_Memory>("memory");

        memory.WaitFor(qdrant).WaitForCompletion(migrate);

        Assert.Equal(
            [new WaitAnnotation(qdrant.Resource, WaitType.UntilHealthy), new WaitAnnotation(migrate.Resource, WaitType.UntilCompleted)],
            memory.Resource.Waits);
        Assert.Empty(qdrant.Resource.Waits);
    }

    [Fact]
    public void WaitingOnItselfThrows()
    {
        var builder = NewBuilder();
        var api = builder.AddProject<Projects.Jarvis_Api>("api");

        var waitFor = Assert.Throws<InvalidOperationException>(() => api.WaitFor(api));
        var waitForCompletion = Assert.Throws<InvalidOperationException>(() => api.WaitForCompletion(api));

        Assert.Contains("'api'", waitFor.Message, StringComparison.Ordinal);
        Assert.Contains("'api'", waitForCompletion.Message, StringComparison.Ordinal);
        Assert.Empty(api.Resource.Waits);
    }

    [Fact]
    public void HttpHealthCheckNeedsTheEndpointItChecks()
    {
        var builder = NewBuilder();
        var cache = builder.AddContainer("cache", "docker.io/library/redis", "7");
        var api = builder.AddProject<Projects.Jarvis_Api>("api");

        var error = Assert.Throws<InvalidOperationException>(() => cache.WithHttpHealthCheck("/health"));
        Assert.Throws<InvalidOperationException>(() => api.WithHttpHealthCheck("/health", endpointName: "https"));
        api.WithHttpHealthCheck();

        Assert.Contains("'http'", error.Message, StringComparison.Ordinal);
        Assert.Empty(cache.Resource.HealthChecks);
        Assert.Equal([new HttpHealthCheckAnnotation("/health", "http")], api.Resource.HealthChecks);
    }

    [Fact]
    public void DuplicateResourceNamesAreRejectedIgnoringCase()
    {
        var builder = NewBuilder();
        builder.AddProject<Projects.Jarvis_Api>("api");
        builder.AddQdrant("qdrant");

        Assert.Throws<InvalidOperationException>(() => builder.AddProject<Projects.Jarvis_Api>("api"));
        Assert.Throws<InvalidOperationException>(() => builder.AddParameter("API"));
        Assert.Throws<InvalidOperationException>(() => builder.AddContainer("Qdrant", "docker.io/qdrant/qdrant"));
        Assert.Throws<InvalidOperationException>(() => builder.AddParameter("QDRANT-key", secret: true));

        Assert.Equal(["api", "qdrant-Key", "qdrant"], builder.Resources.Select(r => r.Name));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("1api")]
    [InlineData("-api")]
    [InlineData("_api")]
    [InlineData("api--v2")]
    [InlineData("api.v2")]
    [InlineData("api v2")]
    [InlineData("api:v2")]
    [InlineData("ápi")]
    public void InvalidResourceNamesAreRejected(string name)
    {
        var builder = NewBuilder();

        Assert.ThrowsAny<ArgumentException>(() => builder.AddParameter(name));
        Assert.ThrowsAny<ArgumentException>(() => builder.AddContainer(name, "docker.io/library/redis"));

        Assert.Empty(builder.Resources);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("api")]
    [InlineData("Api2")]
    [InlineData("jarvis-api-key")]
    [InlineData("my_param")]
    public void ValidResourceNamesAreAccepted(string name)
    {
        var builder = NewBuilder();

        Assert.Equal(name, builder.AddParameter(name).Resource.Name);
    }

    [Fact]
    public void DataVolumesMountAtTheImagesDataDirectoriesUnderGeneratedNames()
    {
        var builder = NewBuilder();

        var qdrant = builder.AddQdrant("qdrant").WithDataVolume();
        var ollama = builder.AddOllama("ollama").WithDataVolume();
        var named = builder.AddQdrant("backup").WithDataVolume("backup-volume", isReadOnly: true);

        // The test assembly is the app host here, so its name comes first.
        Assert.Equal(new ContainerMount("jarvis.tests-qdrant-data", "/qdrant/storage", IsReadOnly: false, IsVolume: true), Assert.Single(qdrant.Resource.Mounts));
        Assert.Equal(new ContainerMount("jarvis.tests-ollama-data", "/root/.ollama", IsReadOnly: false, IsVolume: true), Assert.Single(ollama.Resource.Mounts));
        Assert.Equal(new ContainerMount("backup-volume", "/qdrant/storage", IsReadOnly: true, IsVolume: true), Assert.Single(named.Resource.Mounts));
    }

    [Fact]
    public void WithVolumeWithoutANameGeneratesOne()
    {
        var builder = NewBuilder();

        var cache = builder.AddContainer("cache", "docker.io/library/redis", "7").WithVolume(null, "/data");

        Assert.Equal(new ContainerMount("jarvis.tests-cache-data", "/data", IsReadOnly: false, IsVolume: true), Assert.Single(cache.Resource.Mounts));
    }

    [Fact]
    public void BindMountSourceIsResolvedAgainstTheAppHostDirectory()
    {
        var builder = NewBuilder();
        var absolute = Path.Combine(Path.GetTempPath(), "jarvis-config");

        var cache = builder.AddContainer("cache", "docker.io/library/redis", "7")
            .WithBindMount("config/redis", "/usr/local/etc/redis", isReadOnly: true)
            .WithBindMount("../shared", "/shared")
            .WithBindMount(absolute, "/absolute");

        Assert.Equal(
            [
                new ContainerMount(Path.Combine(builder.AppHostDirectory, "config", "redis"), "/usr/local/etc/redis", IsReadOnly: true, IsVolume: false),
                new ContainerMount(Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "shared")), "/shared", IsReadOnly: false, IsVolume: false),
                new ContainerMount(absolute, "/absolute", IsReadOnly: false, IsVolume: false),
            ],
            cache.Resource.Mounts);
    }

    [Fact]
    public void SecretParametersAreGeneratedWhenMissingAndOthersAreNot()
    {
        var builder = NewBuilder();

        var secret = builder.AddParameter("jarvis-api-key", secret: true).Resource;
        var plain = builder.AddParameter("region").Resource;
        var connection = builder.AddConnectionString("weather").Resource;

        Assert.True(secret.Secret);
        Assert.Equal(new GenerateParameterDefault(MinLength: 22, Special: false), secret.Generate);
        Assert.Equal("Parameters:jarvis-api-key", secret.ConfigurationKey);
        Assert.False(plain.Secret);
        Assert.Null(plain.Generate);
        Assert.True(connection.Secret);
        Assert.Null(connection.Generate);
        Assert.Equal("ConnectionStrings:weather", connection.ConfigurationKey);
        Assert.Equal("{weather.value}", connection.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public async Task ReferenceToConnectionStringInjectsItsConfiguredValue()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();
        var weather = builder.AddConnectionString("weather");
        var api = builder.AddProject<Projects.Jarvis_Api>("api").WithReference(weather);
        weather.Resource.Value = "Endpoint=https://weather.example;Key=abc";

        var run = await RunEnvironmentAsync(api.Resource, ct);
        var publish = PublishEnvironment(api.Resource);

        Assert.Equal("Endpoint=https://weather.example;Key=abc", run["ConnectionStrings__weather"]);
        Assert.Equal("{weather.connectionString}", publish["ConnectionStrings__weather"]);
        Assert.True(Assert.IsType<ConnectionStringReference>(Evaluate(api.Resource, publish: false)["ConnectionStrings__weather"]).IsSecret);
    }

    [Fact]
    public void ExpressionIsSecretWhenItHoldsASecretParameter()
    {
        var builder = NewBuilder();
        var secret = builder.AddParameter("jarvis-api-key", secret: true).Resource;
        var plain = builder.AddParameter("region").Resource;
        var qdrant = builder.AddQdrant("qdrant").Resource;
        var ollama = builder.AddOllama("ollama");
        var model = ollama.AddModel("llama3.2:1b").Resource;
        var endpoint = new EndpointReference(ollama.Resource, "http");

        Assert.True(ReferenceExpression.Create($"Key={secret}").IsSecret);
        Assert.True(ReferenceExpression.Create($"Outer {ReferenceExpression.Create($"Key={secret}")}").IsSecret);
        Assert.True(ReferenceExpression.Create($"{qdrant}").IsSecret);
        Assert.True(qdrant.ConnectionStringExpression.IsSecret);
        Assert.True(qdrant.HttpConnectionStringExpression.IsSecret);
        Assert.False(ReferenceExpression.Create($"Region={plain}").IsSecret);
        Assert.False(ReferenceExpression.Create($"Url={endpoint};Literal").IsSecret);
        Assert.False(ReferenceExpression.Create($"{model}").IsSecret);
        Assert.False(model.ConnectionStringExpression.IsSecret);
        Assert.Equal("Outer Key={jarvis-api-key.value}", ReferenceExpression.Create($"Outer {ReferenceExpression.Create($"Key={secret}")}").ValueExpression);
    }

    [Fact]
    public async Task QdrantUsesAConfiguredConnectionStringForBothEndpoints()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();
        var qdrant = builder.AddQdrant("qdrant");
        var memory = builder.AddProject<Projects.Jarvis_Memory>("memory").WithReference(qdrant);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:qdrant"] = "Endpoint=http://qdrant.lan:6334;Key=abc" })
            .Build();

        var description = await qdrant.Resource.UseExistingInstanceAsync(configuration, containerEngineAvailable: false, ct);
        var run = await RunEnvironmentAsync(memory.Resource, ct);

        Assert.Equal("ConnectionStrings:qdrant", description);
        Assert.Equal("Endpoint=http://qdrant.lan:6334;Key=abc", await qdrant.Resource.ConnectionStringExpression.GetValueAsync(ct));
        Assert.Equal("Endpoint=http://qdrant.lan:6334;Key=abc", await qdrant.Resource.HttpConnectionStringExpression.GetValueAsync(ct));
        Assert.Equal("Endpoint=http://qdrant.lan:6334;Key=abc", run["ConnectionStrings__qdrant"]);
        Assert.Equal("Endpoint=http://qdrant.lan:6334;Key=abc", run["ConnectionStrings__qdrant_http"]);
    }

    [Fact]
    public async Task QdrantUsesAConfiguredHttpConnectionStringForItsRestEndpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();
        var qdrant = builder.AddQdrant("qdrant");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:qdrant"] = "Endpoint=http://qdrant.lan:6334;Key=abc",
                ["ConnectionStrings:qdrant_http"] = "Endpoint=http://qdrant.lan:6333;Key=abc",
            })
            .Build();

        await qdrant.Resource.UseExistingInstanceAsync(configuration, containerEngineAvailable: false, ct);

        Assert.Equal("Endpoint=http://qdrant.lan:6334;Key=abc", await qdrant.Resource.ConnectionStringExpression.GetValueAsync(ct));
        Assert.Equal("Endpoint=http://qdrant.lan:6333;Key=abc", await qdrant.Resource.HttpConnectionStringExpression.GetValueAsync(ct));
    }

    [Fact]
    public async Task QdrantWithoutAConfiguredConnectionStringHasNoExistingInstance()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();
        var qdrant = builder.AddQdrant("qdrant");

        var description = await qdrant.Resource.UseExistingInstanceAsync(new ConfigurationBuilder().Build(), containerEngineAvailable: false, ct);

        Assert.Null(description);
        Assert.Equal("Endpoint={qdrant.bindings.grpc.url};Key={qdrant-Key.value}", qdrant.Resource.ConnectionStringExpression.ValueExpression);
    }

    /// <summary>A configured connection string holds the API key, so the environment snapshot must mask it.</summary>
    [Fact]
    public async Task ExistingQdrantConnectionStringStaysSecret()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = NewBuilder();
        var qdrant = builder.AddQdrant("qdrant");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:qdrant"] = "Endpoint=http://qdrant.lan:6334;Key=abc" })
            .Build();

        await qdrant.Resource.UseExistingInstanceAsync(configuration, containerEngineAvailable: false, ct);

        Assert.True(qdrant.Resource.ConnectionStringExpression.IsSecret, "ConnectionStrings__qdrant holds the configured API key and must be shown as ******.");
        Assert.True(qdrant.Resource.HttpConnectionStringExpression.IsSecret, "ConnectionStrings__qdrant_http holds the configured API key and must be shown as ******.");
    }

    private sealed record TestProject(string ProjectPath, string TargetPath) : IProjectMetadata;
}
