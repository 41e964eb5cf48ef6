namespace Jarvis.Tests.Infrastructure;

/// <summary>
/// A real Jarvis.Memory (a child process, embedded store) on a data directory of its own, deleted with it: what a test
/// of the Api needs when its turns must be remembered.
/// </summary>
public sealed class MemoryProcess : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"jarvis-memory-{Guid.NewGuid():N}");

    public ServiceProcess Process { get; private set; } = null!;

    private Dictionary<string, string> Variables => new() { ["Memory__Embedded__DataDirectory"] = _data };

    public Uri BaseAddress => Process.BaseAddress;

    public async ValueTask InitializeAsync()
    {
        Process = ServiceProcess.Start("Jarvis.Memory", "Production", Variables);
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

    /// <summary>SIGKILLs the service (Process.Kill), so it finishes nothing, as a crash or an OOM kill would.</summary>
    public async Task KillAsync() => await Process.DisposeAsync();

    /// <summary>Starts the service again on the same data directory and address, and waits until it is healthy.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        Process = ServiceProcess.Start("Jarvis.Memory", "Production", Variables, BaseAddress.Port);
        await Process.WaitUntilHealthyAsync(cancellationToken);
    }
}
