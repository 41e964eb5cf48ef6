using System.Diagnostics;
using System.Text.Json;
using Jarvis.Tests.Infrastructure;
using Json.Schema;

namespace Jarvis.Tests.AppHost;

/// <summary>
/// The committed aspire-manifest.json is what Aspire's own publisher writes for the app host today, it validates
/// against Aspire's manifest schema, and it describes the whole production topology whatever this machine has.
/// </summary>
public sealed class ManifestTests
{
    private const string RegenerateCommand = "dotnet run --project Jarvis.AppHost -- --publisher manifest --output-path aspire-manifest.json";

    private static readonly string CommittedPath = Path.Combine(RepositoryPaths.Root, "aspire-manifest.json");

    /// <summary>Aspire's manifest schema (schemastore's aspire-8.0.json, as in shared/specs); loaded once, as the library registers it by its id.</summary>
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromFile(Path.Combine(RepositoryPaths.Root, "Jarvis.Tests", "AppHost", "Schemas", "aspire-manifest.schema.json")));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheCommittedManifestIsWhatAspiresPublisherWritesToday()
    {
        var fresh = await PublishAsync();

        Assert.True(
            File.ReadAllText(CommittedPath) == fresh,
            $"aspire-manifest.json is stale: regenerate it with '{RegenerateCommand}' and commit it.");
    }

    [Fact]
    public async Task TheManifestDescribesEveryContainerEvenWhereNoEngineRunsAndExistingServersAreConfigured()
    {
        var fresh = await PublishAsync("--Jarvis:Containers=never", "--ConnectionStrings:qdrant=Endpoint=http://elsewhere:6333", "--ConnectionStrings:ollama=Endpoint=http://elsewhere:11434");

        Assert.Equal(File.ReadAllText(CommittedPath), fresh);
    }

    [Fact]
    public void TheCommittedManifestValidatesAgainstAspiresSchema()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(CommittedPath));

        var result = Schema.Value.Evaluate(manifest.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    [Fact]
    public void TheSchemaRejectsAManifestItDoesNotDescribe()
    {
        using var manifest = JsonDocument.Parse("""{ "resources": { "api": { "type": "project.v0" } } }""");

        Assert.False(Schema.Value.Evaluate(manifest.RootElement).IsValid);
    }

    [Fact]
    public void ResourcesAreTheProductionTopologyAndParametersAreSecretInputs()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(CommittedPath));
        var resources = manifest.RootElement.GetProperty("resources");
        string Type(string name) => resources.GetProperty(name).GetProperty("type").GetString()!;

        Assert.Equal(
            ["qdrant", "ollama", "ollama-llama3-2", "ollama-nomic-embed-text", "stt", "tts", "jarvis-api-key", "memory", "voice", "api", "open-meteo-url", "open-meteo-geocoding-url", "homeassistant", "qdrant-Key"],
            resources.EnumerateObject().Select(r => r.Name));
        Assert.All(["qdrant", "ollama", "stt", "tts"], name => Assert.Equal("container.v0", Type(name)));
        Assert.All(["api", "memory", "voice"], name => Assert.Equal("project.v0", Type(name)));
        foreach (var parameter in (string[])["jarvis-api-key", "qdrant-Key", "homeassistant"])
        {
            Assert.Equal("parameter.v0", Type(parameter));
            Assert.True(resources.GetProperty(parameter).GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        }

        Assert.True(resources.GetProperty("api").GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());
        Assert.Equal("{jarvis-api-key.value}", resources.GetProperty("api").GetProperty("env").GetProperty("Jarvis__ApiKey").GetString());

        // Open-Meteo is an external service of the api: its URLs are parameters with the public service as default.
        Assert.Equal("https://api.open-meteo.com/v1/", resources.GetProperty("open-meteo-url").GetProperty("inputs").GetProperty("value").GetProperty("default").GetProperty("value").GetString());
        Assert.Equal("{open-meteo-url.value}forecast", resources.GetProperty("api").GetProperty("env").GetProperty("Jarvis__Skills__Weather__ForecastUrl").GetString());
        Assert.Equal("{open-meteo-geocoding-url.value}search", resources.GetProperty("api").GetProperty("env").GetProperty("Jarvis__Skills__Weather__GeocodingUrl").GetString());
        Assert.Equal("{homeassistant.connectionString}", resources.GetProperty("api").GetProperty("env").GetProperty("ConnectionStrings__homeassistant").GetString());
    }

    /// <summary>Runs the built app host with Aspire's manifest publisher; the file goes beside the committed one so its relative project paths match.</summary>
    private static async Task<string> PublishAsync(params string[] args)
    {
        var output = Path.Combine(RepositoryPaths.Root, $"aspire-manifest.{Guid.NewGuid():N}.tmp.json");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.Combine(RepositoryPaths.Root, "Jarvis.AppHost"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])[RepositoryPaths.ProjectAssembly("Jarvis.AppHost"), "--publisher", "manifest", "--output-path", output, .. args])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(Ct);
            var stderr = process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct);
            Assert.True(process.ExitCode == 0, $"the publisher failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
            return await File.ReadAllTextAsync(output, Ct);
        }
        finally
        {
            File.Delete(output);
        }
    }
}
