using Jarvis.Memory.Storage;
using Jarvis.Memory.Storage.Embedded;

namespace Jarvis.Tests.Memory.Embedded;

/// <summary>The shared store behaviour, on the embedded store in a temporary directory.</summary>
public sealed class EmbeddedStoreBehaviourTests : MemoryStoreBehaviourTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"jarvis-embedded-{Guid.NewGuid():N}");
    private EmbeddedMemoryStore? _store;

    protected override Task<IMemoryStore> CreateStoreAsync()
    {
        _store = EmbeddedMemoryStore.Open(_directory);
        return Task.FromResult<IMemoryStore>(_store);
    }

    protected override ValueTask CleanupAsync()
    {
        _store?.Dispose();
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
