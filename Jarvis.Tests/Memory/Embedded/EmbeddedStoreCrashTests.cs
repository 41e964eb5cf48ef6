using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Jarvis.Memory.Memories;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Memory.Embedded;

/// <summary>
/// The built service as a child process: it acknowledges writes, is killed with SIGKILL while writes are in flight,
/// restarts on the same data directory, and every acknowledged memory is there and searchable.
/// </summary>
public sealed class EmbeddedStoreCrashTests : IDisposable
{
    private const int Total = 200;
    private const int InFlight = 8;
    private const int KillAfterAcknowledged = 60;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "jarvis-memory-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task EveryAcknowledgedMemorySurvivesSigkillDuringWrites()
    {
        var ct = TestContext.Current.CancellationToken;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        var variables = new Dictionary<string, string> { ["Memory__Embedded__DataDirectory"] = _directory };

        var acknowledged = new ConcurrentDictionary<Guid, string>();
        var failed = 0;
        var inFlightAtKill = 0;
        var service = ServiceProcess.Start("Jarvis.Memory", "Production", variables);
        var killed = false;
        try
        {
            await service.WaitUntilHealthyAsync(timeout.Token);
            using var client = service.CreateClient();
            var next = -1;
            var inFlight = 0;
            var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            async Task WriterAsync()
            {
                int n;
                while ((n = Interlocked.Increment(ref next)) < Total)
                {
                    var text = $"crash memory {n} keyword{n}x about the durable store";
                    Interlocked.Increment(ref inFlight);
                    try
                    {
                        using var response = await client.PostAsJsonAsync("/api/memories", new { userId = "crash-user", text, importance = 0.5 }, timeout.Token);
                        if (response.StatusCode != HttpStatusCode.Created)
                        {
                            Interlocked.Increment(ref failed);
                            continue;
                        }

                        var stored = await response.Content.ReadFromJsonAsync<StoreMemoryResponse>(timeout.Token);
                        acknowledged[stored!.Id] = text;
                        if (acknowledged.Count >= KillAfterAcknowledged)
                        {
                            killNow.TrySetResult();
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !timeout.IsCancellationRequested)
                    {
                        // Cut off by the kill: not acknowledged, so no promise was made.
                        Interlocked.Increment(ref failed);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref inFlight);
                    }
                }
            }

            var writers = Enumerable.Range(0, InFlight).Select(_ => Task.Run(WriterAsync, timeout.Token)).ToList();
            await killNow.Task.WaitAsync(timeout.Token);
            inFlightAtKill = Volatile.Read(ref inFlight);

            // DisposeAsync kills the process (Process.Kill: SIGKILL on Unix) without letting it finish anything.
            killed = true;
            await service.DisposeAsync();
            await Task.WhenAll(writers).WaitAsync(timeout.Token);
        }
        finally
        {
            if (!killed)
            {
                await service.DisposeAsync();
            }
        }

        Assert.True(inFlightAtKill > 0, "the kill came while writes were in flight");
        Assert.True(failed > 0, "some writes were cut off by the kill");
        Assert.InRange(acknowledged.Count, KillAfterAcknowledged, Total - 1);

        await using var restarted = ServiceProcess.Start("Jarvis.Memory", "Production", variables);
        await restarted.WaitUntilHealthyAsync(timeout.Token);
        using var after = restarted.CreateClient();

        foreach (var (id, text) in acknowledged)
        {
            using var response = await after.GetAsync($"/api/memories/{id}?userId=crash-user", timeout.Token);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"acknowledged memory {id} ({text}) is there after the crash: {(int)response.StatusCode}");
            Assert.Equal(text, (await response.Content.ReadFromJsonAsync<MemoryResponse>(timeout.Token))!.Text);
        }

        var listed = new HashSet<Guid>();
        string? cursor = null;
        do
        {
            var page = await after.GetFromJsonAsync<MemoryListResponse>(
                $"/api/memories?userId=crash-user&limit=100{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}", timeout.Token);
            Assert.NotNull(page);
            foreach (var item in page.Items)
            {
                Assert.True(listed.Add(item.Id), $"{item.Id} is listed once");
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Superset(acknowledged.Keys.ToHashSet(), listed);

        foreach (var (id, text) in acknowledged)
        {
            using var response = await after.PostAsJsonAsync("/api/memories/search", new { userId = "crash-user", query = text, limit = 3 }, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var found = await response.Content.ReadFromJsonAsync<SearchMemoriesResponse>(timeout.Token);
            Assert.Equal(id, found!.Results[0].Id);
        }
    }
}
