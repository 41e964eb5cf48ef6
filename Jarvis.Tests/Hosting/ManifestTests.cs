using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Hosting;
using Jarvis.Hosting.ApplicationModel;
using Jarvis.Hosting.Publishing;
using Jarvis.Hosting.Testing;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Hosting;

/// <summary>
/// The manifest publisher: the JSON of each resource type, validity against Aspire's schema, the committed
/// aspire-manifest.json, and the <c>--publisher manifest --output-path</c> command line.
/// </summary>
public sealed class ManifestTests
{
    private const string RegenerateCommand = "dotnet run --project Jarvis.AppHost -- --publisher manifest --output-path aspire-manifest.json";

    private static readonly string RootManifestPath = Path.Combine(RepositoryPaths.Root, "aspire-manifest.json");

    private static DistributedApplicationBuilder NewBuilder() => DistributedApplicationTestingBuilder.Create().ApplicationBuilder;

    /// <summary>The manifest text as the publisher writes it for a file at <paramref name="manifestPath"/>, checked against the schema.</summary>
    private static string Render(DistributedApplicationBuilder builder, string manifestPath)
    {
        var manifest = ManifestPublishingService.Render(new ManifestWriter(new DistributedApplicationModel(builder.Resources)), manifestPath);
        ManifestSchemaValidator.AssertValid(manifest);
        return manifest;
    }

    private static string Normalize(string json) => JsonNode.Parse(json)!.ToJsonString();

    private static List<string> ResourceNames(string manifest)
    {
        using var document = JsonDocument.Parse(manifest);
        return [.. document.RootElement.GetProperty("resources").EnumerateObject().Select(r => r.Name)];
    }

    /// <summary>Compares one resource's JSON exactly, property order included.</summary>
    private static void AssertResource(string expectedJson, string manifest, string name)
    {
        using var document = JsonDocument.Parse(manifest);
        Assert.True(document.RootElement.GetProperty("resources").TryGetProperty(name, out var resource), $"The manifest has no resource '{name}':\n{manifest}");
        Assert.Equal(Normalize(expectedJson), Normalize(resource.GetRawText()));
    }

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var expectedLine = i < expectedLines.Length ? expectedLines[i] : "<end of file>";
            var actualLine = i < actualLines.Length ? actualLines[i] : "<end of file>";
            if (expectedLine != actualLine)
            {
                return $"First difference at line {i + 1}:\n  committed: {expectedLine}\n  published: {actualLine}";
            }
        }

        return "The texts differ only in line endings or encoding.";
    }

    [Fact]
    public void ManifestStartsWithTheSchemaAndEndsWithOneNewline()
    {
        var builder = NewBuilder();
        builder.AddParameter("region");

        var manifest = Render(builder, RootManifestPath);

        Assert.StartsWith("{\n  \"$schema\": \"https://json.schemastore.org/aspire-8.0.json\",\n  \"resources\": {\n", manifest, StringComparison.Ordinal);
        Assert.EndsWith("}\n", manifest, StringComparison.Ordinal);
        Assert.False(manifest.EndsWith("\n\n", StringComparison.Ordinal));
        Assert.DoesNotContain("\r", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public void ProjectIsWrittenAsProjectV0WithPathRelativeToTheManifest()
    {
        var builder = NewBuilder();
        var apiKey = builder.AddParameter("jarvis-api-key", secret: true);
        var memory = builder.AddProject<Projects.Jarvis_Memory>("memory");
        builder.AddProject<Projects.Jarvis_Api>("api")
            .WithReference(memory)
            .WithEnvironment("Jarvis__ApiKey", apiKey)
            .WithArgs("--verbose")
            .WithHttpHealthCheck()
            .WaitFor(memory)
            .WithExternalHttpEndpoints();

        var manifest = Render(builder, RootManifestPath);

        AssertResource("""
            {
              "type": "project.v0",
              "path": "Jarvis.Api/Jarvis.Api.csproj",
              "env": {
                "OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES": "true",
                "OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES": "true",
                "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY": "in_memory",
                "ASPNETCORE_FORWARDEDHEADERS_ENABLED": "true",
                "HTTP_PORTS": "{api.bindings.http.targetPort}",
                "services__memory__http__0": "{memory.bindings.http.url}",
                "MEMORY_HTTP": "{memory.bindings.http.url}",
                "Jarvis__ApiKey": "{jarvis-api-key.value}"
              },
              "bindings": {
                "http": { "scheme": "http", "protocol": "tcp", "transport": "http", "external": true }
              }
            }
            """, manifest, "api");
        AssertResource("""
            {
              "type": "project.v0",
              "path": "Jarvis.Memory/Jarvis.Memory.csproj",
              "env": {
                "OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES": "true",
                "OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES": "true",
                "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY": "in_memory",
                "ASPNETCORE_FORWARDEDHEADERS_ENABLED": "true",
                "HTTP_PORTS": "{memory.bindings.http.targetPort}"
              },
              "bindings": {
                "http": { "scheme": "http", "protocol": "tcp", "transport": "http" }
              }
            }
            """, manifest, "memory");
    }

    [Fact]
    public void ProjectPathIsRelativeToAManifestInASubfolder()
    {
        var builder = NewBuilder();
        builder.AddProject<Projects.Jarvis_Api>("api");

        var nested = Render(builder, Path.Combine(RepositoryPaths.Root, "deploy", "staging", "aspire-manifest.json"));
        var inProject = Render(builder, Path.Combine(RepositoryPaths.Root, "Jarvis.Api", "aspire-manifest.json"));

        using var nestedDocument = JsonDocument.Parse(nested);
        using var inProjectDocument = JsonDocument.Parse(inProject);
        Assert.Equal("../../Jarvis.Api/Jarvis.Api.csproj", nestedDocument.RootElement.GetProperty("resources").GetProperty("api").GetProperty("path").GetString());
        Assert.Equal("Jarvis.Api.csproj", inProjectDocument.RootElement.GetProperty("resources").GetProperty("api").GetProperty("path").GetString());
    }

    [Fact]
    public void ContainerIsWrittenWithImageArgsMountsEnvironmentAndBindings()
    {
        var builder = NewBuilder();
        var api = builder.AddProject<Projects.Jarvis_Api>("api");
        builder.AddContainer("cache", "docker.io/library/redis", "7.4")
            .WithArgs("--save", "60")
            .WithVolume(null, "/data")
            .WithBindMount("config/redis", "/usr/local/etc/redis", isReadOnly: true)
            .WithVolume("logs", "/logs", isReadOnly: true)
            .WithEnvironment("REDIS_ARGS", "--appendonly yes")
            .WithEnvironment("API_URL", api.GetEndpoint("http"))
            .WithHttpEndpoint(targetPort: 5540, name: "ui");

        // The manifest sits in a folder of the app host, so the bind mount is one level up from it.
        var manifest = Render(builder, Path.Combine(builder.AppHostDirectory, "deploy", "aspire-manifest.json"));

        AssertResource("""
            {
              "type": "container.v0",
              "image": "docker.io/library/redis:7.4",
              "args": [ "--save", "60" ],
              "bindMounts": [
                { "source": "../config/redis", "target": "/usr/local/etc/redis", "readOnly": true }
              ],
              "volumes": [
                { "name": "jarvis.tests-cache-data", "target": "/data", "readOnly": false },
                { "name": "logs", "target": "/logs", "readOnly": true }
              ],
              "env": {
                "REDIS_ARGS": "--appendonly yes",
                "API_URL": "{api.bindings.http.url}"
              },
              "bindings": {
                "ui": { "scheme": "http", "protocol": "tcp", "transport": "http", "targetPort": 5540 }
              }
            }
            """, manifest, "cache");
    }

    [Fact]
    public void BareContainerHasOnlyTypeAndImage()
    {
        var builder = NewBuilder();
        builder.AddContainer("mailpit", "docker.io/axllent/mailpit");

        var manifest = Render(builder, RootManifestPath);

        AssertResource("""{ "type": "container.v0", "image": "docker.io/axllent/mailpit:latest" }""", manifest, "mailpit");
    }

    [Fact]
    public void QdrantAndOllamaAreWrittenAsContainersWithConnectionStrings()
    {
        var builder = NewBuilder();
        builder.AddQdrant("qdrant").WithDataVolume();
        builder.AddOllama("ollama").WithDataVolume();

        var manifest = Render(builder, RootManifestPath);

        Assert.Equal(["qdrant-Key", "qdrant", "ollama"], ResourceNames(manifest));
        AssertResource("""
            {
              "type": "container.v0",
              "connectionString": "Endpoint={qdrant.bindings.grpc.url};Key={qdrant-Key.value}",
              "image": "docker.io/qdrant/qdrant:v1.16.3",
              "volumes": [
                { "name": "jarvis.tests-qdrant-data", "target": "/qdrant/storage", "readOnly": false }
              ],
              "env": {
                "QDRANT__SERVICE__API_KEY": "{qdrant-Key.value}",
                "QDRANT__SERVICE__ENABLE_STATIC_CONTENT": "0"
              },
              "bindings": {
                "grpc": { "scheme": "http", "protocol": "tcp", "transport": "http2", "targetPort": 6334 },
                "http": { "scheme": "http", "protocol": "tcp", "transport": "http", "targetPort": 6333 }
              }
            }
            """, manifest, "qdrant");
        AssertResource("""
            {
              "type": "container.v0",
              "connectionString": "Endpoint={ollama.bindings.http.url}",
              "image": "docker.io/ollama/ollama:latest",
              "volumes": [
                { "name": "jarvis.tests-ollama-data", "target": "/root/.ollama", "readOnly": false }
              ],
              "bindings": {
                "http": { "scheme": "http", "protocol": "tcp", "transport": "http", "targetPort": 11434 }
              }
            }
            """, manifest, "ollama");
    }

    [Fact]
    public void ParametersAreWrittenAsParameterV0Inputs()
    {
        var builder = NewBuilder();
        builder.AddParameter("jarvis-api-key", secret: true);
        builder.AddParameter("region");
        builder.AddConnectionString("weather");

        var manifest = Render(builder, RootManifestPath);

        AssertResource("""
            {
              "type": "parameter.v0",
              "value": "{jarvis-api-key.inputs.value}",
              "inputs": {
                "value": {
                  "type": "string",
                  "secret": true,
                  "default": { "generate": { "minLength": 22, "special": false } }
                }
              }
            }
            """, manifest, "jarvis-api-key");
        AssertResource("""
            {
              "type": "parameter.v0",
              "value": "{region.inputs.value}",
              "inputs": { "value": { "type": "string" } }
            }
            """, manifest, "region");
        AssertResource("""
            {
              "type": "parameter.v0",
              "connectionString": "{weather.value}",
              "value": "{weather.inputs.value}",
              "inputs": { "value": { "type": "string", "secret": true } }
            }
            """, manifest, "weather");
    }

    [Fact]
    public void ReferenceToAConnectionStringIsWrittenAsItsExpression()
    {
        var builder = NewBuilder();
        var weather = builder.AddConnectionString("weather");
        builder.AddContainer("worker", "docker.io/library/alpine", "3").WithReference(weather);

        var manifest = Render(builder, RootManifestPath);

        AssertResource("""
            {
              "type": "container.v0",
              "image": "docker.io/library/alpine:3",
              "env": { "ConnectionStrings__weather": "{weather.connectionString}" }
            }
            """, manifest, "worker");
    }

    [Fact]
    public void OllamaModelIsWrittenAsValueV0()
    {
        var builder = NewBuilder();
        var ollama = builder.AddOllama("ollama");
        ollama.AddModel("llama3.2:1b");
        ollama.AddModel("embeddings", "nomic-embed-text");

        var manifest = Render(builder, RootManifestPath);

        AssertResource("""{ "type": "value.v0", "connectionString": "{ollama.connectionString};Model=llama3.2:1b" }""", manifest, "ollama-llama3-2");
        AssertResource("""{ "type": "value.v0", "connectionString": "{ollama.connectionString};Model=nomic-embed-text" }""", manifest, "embeddings");
    }

    [Fact]
    public void ExecutablesAndExcludedResourcesAreLeftOut()
    {
        var builder = NewBuilder();
        builder.AddExecutable("migrate", "dotnet", ".", "ef", "database", "update");
        builder.AddParameter("region");
        builder.AddContainer("mailpit", "docker.io/axllent/mailpit").ExcludeFromManifest();
        builder.AddProject<Projects.Jarvis_Voice>("voice");
        builder.AddProject<Projects.Jarvis_Memory>("tool").ExcludeFromManifest();
        builder.AddResource(new CustomResource("custom")).ExcludeFromManifest();

        var manifest = Render(builder, RootManifestPath);

        Assert.Equal(["region", "voice"], ResourceNames(manifest));
    }

    [Fact]
    public void ResourceTheManifestCannotDescribeFailsNamingIt()
    {
        var builder = NewBuilder();
        builder.AddResource(new CustomResource("custom"));

        var error = Assert.Throws<DistributedApplicationException>(() =>
            ManifestPublishingService.Render(new ManifestWriter(new DistributedApplicationModel(builder.Resources)), RootManifestPath));

        Assert.Contains("'custom'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ExcludeFromManifest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyApplicationHasNoResources()
    {
        var manifest = Render(NewBuilder(), RootManifestPath);

        Assert.Equal(
            Normalize("""{ "$schema": "https://json.schemastore.org/aspire-8.0.json", "resources": {} }"""),
            Normalize(manifest));
    }

    [Fact]
    public void CommittedManifestValidatesAgainstTheSchema()
    {
        ManifestSchemaValidator.AssertValid(File.ReadAllText(RootManifestPath));
    }

    [Fact]
    public async Task CommittedManifestMatchesAFreshPublishOfTheAppHost()
    {
        var ct = TestContext.Current.CancellationToken;

        // Published beside the committed manifest, so the project paths are relative to the same folder.
        var freshPath = Path.Combine(RepositoryPaths.Root, $"aspire-manifest.test-{Guid.NewGuid():N}.json");
        try
        {
            var testing = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Jarvis_AppHost>(["--publisher", "manifest", "--output-path", freshPath], ct);
            Assert.True(testing.ApplicationBuilder.ExecutionContext.IsPublishMode);
            await using (var app = await testing.BuildAsync(ct))
            {
                await app.RunAsync(ct);
            }

            var fresh = await File.ReadAllBytesAsync(freshPath, ct);
            var committed = await File.ReadAllBytesAsync(RootManifestPath, ct);

            ManifestSchemaValidator.AssertValid(Encoding.UTF8.GetString(fresh));
            Assert.True(
                committed.AsSpan().SequenceEqual(fresh),
                $"aspire-manifest.json is out of date with Jarvis.AppHost. Regenerate it from the repository root with: {RegenerateCommand}\n"
                + FirstDifference(Encoding.UTF8.GetString(committed), Encoding.UTF8.GetString(fresh)));
        }
        finally
        {
            File.Delete(freshPath);
        }
    }

    [Theory]
    [InlineData("out", "out/aspire-manifest.json")]
    [InlineData("out/", "out/aspire-manifest.json")]
    [InlineData("manifest.json", "manifest.json")]
    [InlineData("deploy/Manifest.JSON", "deploy/Manifest.JSON")]
    public async Task OutputPathNotEndingInJsonIsAFolderForAspireManifestJson(string outputPath, string expectedFile)
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("jarvis-manifest-");
        try
        {
            var testing = DistributedApplicationTestingBuilder.Create("--publisher", "manifest", "--output-path", Path.Combine(directory.FullName, outputPath));
            testing.ApplicationBuilder.AddQdrant("qdrant").WithDataVolume();
            await using (var app = await testing.BuildAsync(ct))
            {
                await app.RunAsync(ct);
            }

            var written = Path.Combine(directory.FullName, expectedFile);
            Assert.True(File.Exists(written), $"Expected the manifest at {written}; found: {string.Join(", ", Directory.GetFiles(directory.FullName, "*", SearchOption.AllDirectories))}");
            Assert.Single(Directory.GetFiles(directory.FullName, "*", SearchOption.AllDirectories));
            Assert.Equal(Render(testing.ApplicationBuilder, written), await File.ReadAllTextAsync(written, ct));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void PublishModeComesFromThePublisherArgument()
    {
        Assert.True(DistributedApplicationTestingBuilder.Create("--publisher", "manifest", "--output-path", "m.json").ApplicationBuilder.ExecutionContext.IsPublishMode);
        Assert.False(DistributedApplicationTestingBuilder.Create().ApplicationBuilder.ExecutionContext.IsPublishMode);
        Assert.True(DistributedApplicationTestingBuilder.Create().ApplicationBuilder.ExecutionContext.IsRunMode);
    }

    [Fact]
    public async Task MissingOutputPathFailsRunNamingTheOption()
    {
        var ct = TestContext.Current.CancellationToken;
        var testing = DistributedApplicationTestingBuilder.Create("--publisher", "manifest");
        testing.ApplicationBuilder.AddParameter("region");
        await using var app = await testing.BuildAsync(ct);

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.RunAsync(ct));

        Assert.Contains("--output-path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingOutputPathFailsStartNamingTheOption()
    {
        var ct = TestContext.Current.CancellationToken;
        var testing = DistributedApplicationTestingBuilder.Create("--publisher", "manifest");
        await using var app = await testing.BuildAsync(ct);

        var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync(ct));

        Assert.Contains("--output-path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPublisherFailsWithoutWritingAnything()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("jarvis-manifest-");
        try
        {
            var testing = DistributedApplicationTestingBuilder.Create("--publisher", "docker-compose", "--output-path", directory.FullName);
            await using var app = await testing.BuildAsync(ct);

            var error = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.RunAsync(ct));

            Assert.Contains("'docker-compose'", error.Message, StringComparison.Ordinal);
            Assert.Contains("'manifest'", error.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(directory.FullName));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("""{ "resources": { "cache": { "type": "container.v0" } } }""", "'image'")]
    [InlineData("""{ "resources": { "cache": { "type": "container.v0", "image": "redis:7", "bindings": { "http": { "scheme": "http", "protocol": "tcp", "transport": "websocket" } } } } }""", "\"websocket\"")]
    [InlineData("""{ "resources": { "api": { "type": "project.v0", "path": "Api.csproj", "ports": [ 80 ] } } }""", "'ports'")]
    [InlineData("""{ "resources": { "key": { "type": "parameter.v0", "value": "{key.inputs.value}" } } }""", "'inputs'")]
    [InlineData("""{ "resources": { "data": { "type": "container.v0", "image": "redis:7", "volumes": [ { "name": "data", "target": "/data" } ] } } }""", "'readOnly'")]
    [InlineData("""{ "resource": {} }""", "'resources'")]
    public void SchemaValidatorRejectsInvalidManifests(string manifest, string expectedInError)
    {
        using var document = JsonDocument.Parse(manifest);

        var errors = ManifestSchemaValidator.Aspire.Validate(document.RootElement);

        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Contains(expectedInError, StringComparison.Ordinal));
    }

    private sealed class CustomResource(string name) : Resource(name)
    {
        public override string ResourceType => "Custom";
    }
}
