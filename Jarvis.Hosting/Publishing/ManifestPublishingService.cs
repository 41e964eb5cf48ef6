using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Jarvis.Hosting.Publishing;

/// <summary>
/// Publish mode (<c>--publisher manifest --output-path PATH</c>): writes the manifest, starts nothing, and stops the
/// app host. A path not ending in <c>.json</c> is a folder that receives <c>aspire-manifest.json</c>.
/// </summary>
internal sealed class ManifestPublishingService(
    IConfiguration configuration,
    ManifestWriter writer,
    IHostApplicationLifetime lifetime) : IHostedService
{
    public const string FileName = "aspire-manifest.json";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var publisher = configuration["Publishing:Publisher"];
        if (publisher != "manifest")
        {
            throw new DistributedApplicationException($"Unknown publisher '{publisher}': the only publisher is 'manifest'.");
        }

        var outputPath = configuration["Publishing:OutputPath"];
        if (string.IsNullOrWhiteSpace(outputPath))
        {
            throw new DistributedApplicationException("The manifest publisher needs an output path: --publisher manifest --output-path aspire-manifest.json");
        }

        var path = Path.GetFullPath(outputPath);
        if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            path = Path.Combine(path, FileName);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, Render(writer, path), cancellationToken);
        Console.WriteLine($"Wrote the manifest to {path}.");
        lifetime.StopApplication();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The manifest as indented JSON with a final newline, as it is committed.</summary>
    internal static string Render(ManifestWriter writer, string path)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.Write(json, path);
        }

        return Encoding.UTF8.GetString(stream.ToArray()).ReplaceLineEndings("\n") + "\n";
    }
}
