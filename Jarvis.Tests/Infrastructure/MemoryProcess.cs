namespace Jarvis.Tests.Infrastructure;

/// <summary>
/// A real Jarvis.Memory (a child process, embedded store) on a data directory of its own, deleted with it: what a test
/// of the Api needs when its turns must be remembered.
/// </summary>
public sealed class MemoryProcess : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"jarvis-memory-{Guid.NewGuid():N}");

    public ServiceProcess Process { get; private set; } = null!;

    public Uri BaseAddress => Process.BaseAddress;

    public async ValueTask InitializeAsync()
    {
        Process = ServiceProcess.Start("Jarvis.Memory", "Production", new Dictionary<string, string> { ["Memory__Embedded__DataDirectory"] = _data });
        await Process.WaitUntilHealthyAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }

        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    public HttpClient CreateClient() => Process.CreateClient();
}
