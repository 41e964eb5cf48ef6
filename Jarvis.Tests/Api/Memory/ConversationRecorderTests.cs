using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Api.Memory;
using Jarvis.Tests.Memory.Api;

namespace Jarvis.Tests.Api.Memory;

/// <summary>
/// The recorder against the real memory service: concurrent exchanges share requests (and so Memory's commits), each
/// exchange stays whole and in order, and a caller returns only once its request has answered.
/// </summary>
public sealed class ConversationRecorderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Exchanges_queued_while_requests_are_in_flight_go_together_in_the_next_request()
    {
        await using var api = new MemoryApiFactory();
        var gate = new GatedHandler(held: 1);
        var recorder = new ConversationRecorder(new MemoryClient(api.CreateDefaultClient(gate)));
        var spans = new List<Activity>();
        using var listener = Listen(spans);

        var recorded = new List<Task>();
        for (var i = 0; i < 20; i++)
        {
            using var turn = new Activity("turn").Start();
            recorded.Add(recorder.RecordAsync(Exchange("alice", $"c{i % 3}", i), Ct));
        }

        // The first exchange holds the request slot: no caller may return before its request has answered.
        await gate.Held.WaitAsync(Ct);
        Assert.All(recorded, task => Assert.False(task.IsCompleted));
        gate.Open();
        await Task.WhenAll(recorded);

        // A request of the first exchange alone, then the nineteen queued behind it in one.
        Assert.Equal([2, 38], gate.TurnsPerRequest.Order());
        var batch = Assert.Single(spans, s => s.OperationName == "record turns");
        Assert.Equal(19, batch.GetTagItem("jarvis.memory.exchanges"));
        Assert.Equal(18, batch.Links.Count());
        for (var c = 0; c < 3; c++)
        {
            var turns = await TurnsAsync(api, "alice", $"c{c}");
            var expected = Enumerable.Range(0, 20).Where(i => i % 3 == c).SelectMany(i => new[] { $"q{i}", $"a{i}" });
            Assert.Equal(expected.Order(StringComparer.Ordinal), turns.Order(StringComparer.Ordinal));
            for (var t = 0; t < turns.Count; t += 2)
            {
                Assert.Equal("a" + turns[t][1..], turns[t + 1]);
            }
        }
    }

    [Fact]
    public async Task An_exchange_alone_is_sent_at_once_in_its_own_trace()
    {
        await using var api = new MemoryApiFactory();
        var recorder = new ConversationRecorder(new MemoryClient(api.CreateClient()));
        var spans = new List<Activity>();
        using var listener = Listen(spans);

        await recorder.RecordAsync(Exchange("bob", "solo", 1), Ct);

        Assert.DoesNotContain(spans, s => s.OperationName == "record turns");
        Assert.Equal(["q1", "a1"], await TurnsAsync(api, "bob", "solo"));
    }

    [Fact]
    public async Task When_memory_is_down_every_exchange_of_the_request_fails_as_memory_unavailable()
    {
        var recorder = new ConversationRecorder(new MemoryClient(new HttpClient { BaseAddress = new Uri("http://127.0.0.1:1") }));

        var failures = await Task.WhenAll(Enumerable.Range(0, 5).Select(i =>
            Assert.ThrowsAsync<MemoryUnavailableException>(() => recorder.RecordAsync(Exchange("alice", "c", i), Ct))));

        Assert.Equal(5, failures.Length);
    }

    private static MemoryTurnToAppend[] Exchange(string userId, string conversationId, int i) =>
        [new(userId, conversationId, "user", $"q{i}"), new(userId, conversationId, "assistant", $"a{i}")];

    private static async Task<List<string>> TurnsAsync(MemoryApiFactory api, string userId, string conversationId)
    {
        using var client = api.CreateClient();
        var body = await client.GetFromJsonAsync<JsonElement>($"/api/conversations/{conversationId}/turns?userId={userId}&last=100", Ct);
        return [.. body.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("text").GetString()!)];
    }

    private static ActivityListener Listen(List<Activity> spans)
    {
        var listener = new ActivityListener
        {
            // By name: reading ConversationRecorder.Source here would run its type initializer inside this callback.
            ShouldListenTo = source => source.Name == "Jarvis.Api.Memory",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>Holds the first <c>held</c> requests until <see cref="Open"/>, and counts the turns of every request.</summary>
    private sealed class GatedHandler(int held) : DelegatingHandler
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _seen;

        public SemaphoreSlim Held { get; } = new(0, 1);

        public List<int> TurnsPerRequest { get; } = [];

        public void Open() => _open.TrySetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadFromJsonAsync<JsonElement>(cancellationToken);
            lock (TurnsPerRequest)
            {
                TurnsPerRequest.Add(body.GetProperty("turns").GetArrayLength());
            }

            if (Interlocked.Increment(ref _seen) <= held)
            {
                if (Volatile.Read(ref _seen) == held)
                {
                    Held.Release();
                }

                await _open.Task.WaitAsync(cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
