using Jarvis.Memory.Memories;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.Memory.Api;

/// <summary>
/// Jarvis.Memory hosted in-process on its own temporary data directory: no Qdrant and no Ollama, so the embedded store
/// and the lexical embedder (unless <c>settings</c> say otherwise). Disposing it stops the host and deletes the directory.
/// </summary>
public sealed class MemoryApiFactory(IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<MemoryService>
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "jarvis-memory-api-" + Guid.NewGuid().ToString("N"));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Memory:Embedded:DataDirectory", DataDirectory);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.ClearProviders());
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
        }
    }
}
