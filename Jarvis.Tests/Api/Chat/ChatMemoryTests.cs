using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Api.Skills;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Ollama;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.Api.Chat;

/// <summary>A turn with the real Jarvis.Memory (a child process): recalled memories reach the prompt, turns are recorded.</summary>
public sealed class ChatMemoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheUsersRelevantMemoriesAreInThePromptAndTheTurnIsRecorded()
    {
        var data = Path.Combine(Path.GetTempPath(), $"jarvis-chat-memory-{Guid.NewGuid():N}");
        var memory = ServiceProcess.Start("Jarvis.Memory", "Production", new Dictionary<string, string> { ["Memory__Embedded__DataDirectory"] = data });
        try
        {
            await memory.WaitUntilHealthyAsync(Ct);
            using (var memoryClient = memory.CreateClient())
            {
                (await memoryClient.PostAsJsonAsync("/api/memories", new { userId = "alice", text = "My sister Anna lives in Lyon" }, Ct)).EnsureSuccessStatusCode();
                (await memoryClient.PostAsJsonAsync("/api/memories", new { userId = "bob", text = "Bob's sister lives in Oslo" }, Ct)).EnsureSuccessStatusCode();
            }

            await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
            await using var api = new ApiFactory(new Dictionary<string, string>
            {
                ["Jarvis:MemoryUrl"] = memory.BaseAddress.ToString(),
                ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b",
            });
            using var client = api.CreateKeyedClient();

            var response = await client.PostAsJsonAsync("/api/chat", new { message = "Where does my sister live?", userId = "alice", conversationId = "c1" }, Ct);
            var reply = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("reply").GetString();
            var system = Assert.Single(ollama.ChatRequests).Json["messages"]!.AsArray()[0]!["content"]!.GetValue<string>();
            var turns = await client.GetFromJsonAsync<JsonElement>("/api/conversations/c1?userId=alice", Ct);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("My sister Anna lives in Lyon", system, StringComparison.Ordinal);
            Assert.DoesNotContain("Oslo", system, StringComparison.Ordinal);
            Assert.DoesNotContain("memory is unavailable", reply, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(["user", "assistant"], turns.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("role").GetString()));
            var health = await client.GetFromJsonAsync<JsonElement>("/health", Ct);
            Assert.Equal("Healthy", health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "memory").GetProperty("status").GetString());
        }
        finally
        {
            await memory.DisposeAsync();
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    [Fact]
    public async Task AToolCallingModelRemembersThroughTheRememberToolForTheTurnsUserOnly()
    {
        var data = Path.Combine(Path.GetTempPath(), $"jarvis-chat-tools-{Guid.NewGuid():N}");
        var memory = ServiceProcess.Start("Jarvis.Memory", "Production", new Dictionary<string, string> { ["Memory__Embedded__DataDirectory"] = data });
        try
        {
            await memory.WaitUntilHealthyAsync(Ct);
            await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
            ollama.Enqueue(new FakeChatReply { Tokens = [], ToolCalls = [new FakeToolCall("remember", new System.Text.Json.Nodes.JsonObject { ["text"] = "Carol is allergic to peanuts" })], DoneReason = "stop" });
            ollama.Enqueue(new FakeChatReply { Tokens = ["I", " will", " remember", "."] });
            await using var api = new ApiFactory(new Dictionary<string, string>
            {
                ["Jarvis:MemoryUrl"] = memory.BaseAddress.ToString(),
                ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b",
            });
            using var client = api.CreateKeyedClient();

            var response = await client.PostAsJsonAsync("/api/chat", new { message = "Remember that I am allergic to peanuts", userId = "carol" }, Ct);
            var reply = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("reply").GetString();

            Assert.Equal("I will remember.", reply);
            Assert.Equal(2, ollama.ChatRequests.Count);
            var first = ollama.ChatRequests[0].Json;
            // The turn the tools read travels in the request's options inside the Api, never to Ollama.
            Assert.DoesNotContain(SkillTurn.OptionsKey, ollama.ChatRequests[0].Body, StringComparison.Ordinal);
            Assert.Equal(["remember", "recall", "forget", "time", "get_weather", "home_state", "home_control", "hangman"], first["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()));
            var second = ollama.ChatRequests[1].Json["messages"]!.AsArray();
            Assert.Equal("tool", second[^1]!["role"]!.GetValue<string>());
            // OllamaSharp sends a tool's result as {"CallId": …, "Result": …} in the tool message's content.
            var result = JsonDocument.Parse(second[^1]!["content"]!.GetValue<string>()).RootElement;
            Assert.Equal("Remembered.", result.GetProperty("Result").GetString());
            using var memoryClient = memory.CreateClient();
            var carol = await memoryClient.GetFromJsonAsync<JsonElement>("/api/users/carol/export", Ct);
            var dave = await memoryClient.GetFromJsonAsync<JsonElement>("/api/users/dave/export", Ct);
            Assert.Equal("Carol is allergic to peanuts", Assert.Single(carol.GetProperty("memories").EnumerateArray()).GetProperty("text").GetString());
            Assert.Empty(dave.GetProperty("memories").EnumerateArray());
        }
        finally
        {
            await memory.DisposeAsync();
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    [Fact]
    public async Task ServiceMetricsReportTheHealthAndResponseTimesOfMemoryVoiceAndTheLlm()
    {
        var health = new System.Collections.Concurrent.ConcurrentDictionary<string, double>();
        var responses = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using var api = new ApiFactory();
        var meters = api.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var meter = new System.Diagnostics.Metrics.MeterListener();
        meter.InstrumentPublished = (instrument, listener) =>
        {
            // This host's instruments only: other tests run hosts whose memory is up.
            if (instrument.Meter.Scope == meters && instrument.Name is "service_health_status" or "service_response_seconds")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meter.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            var service = tags.ToArray().Single(t => t.Key == "service").Value as string ?? "";
            if (instrument.Name == "service_health_status")
            {
                health[service] = value;
            }
            else
            {
                responses.Add(service);
            }
        });
        meter.Start();
        using var client = api.CreateKeyedClient();

        (await client.PostAsJsonAsync("/api/chat", new { message = "remember that I like tea", userId = "u" }, Ct)).EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() =>
        {
            meter.RecordObservableInstruments();
            return Task.FromResult(health.ContainsKey("memory") && health.ContainsKey("llm") && health.ContainsKey("voice"));
        }, "the health publisher to report memory, voice and the llm", Ct, TimeSpan.FromSeconds(15));

        Assert.Contains("memory", responses);
        Assert.Contains("voice", responses);
        Assert.Equal(0.5, health["memory"]);
        Assert.Equal(0.5, health["llm"]);
        Assert.Equal(0.5, health["voice"]);
    }

    [Fact]
    public async Task WhileMemoryIsDownTurnsSkipItAfterOneFailureAndSayItOnceInTheLog()
    {
        var calls = 0;
        var stub = WebApplication.CreateSlimBuilder();
        stub.WebHost.UseUrls("http://127.0.0.1:0");
        stub.Logging.ClearProviders();
        await using var down = stub.Build();
        down.Run(context =>
        {
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                Interlocked.Increment(ref calls);
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });
        await down.StartAsync(Ct);
        await using var api = new ApiFactory(new Dictionary<string, string> { ["Jarvis:MemoryUrl"] = down.Urls.First() });
        using var client = api.CreateKeyedClient();

        var callsOfTheFirstTurn = 0;
        for (var turn = 0; turn < 5; turn++)
        {
            var response = await client.PostAsJsonAsync("/api/chat", new { message = "hello", userId = "dave" }, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            callsOfTheFirstTurn = turn == 0 ? Volatile.Read(ref calls) : callsOfTheFirstTurn;
        }

        // The first turn's record failed (after its retries); the next four did not call memory at all, within
        // MemoryAvailability.RetryInterval.
        Assert.True(callsOfTheFirstTurn > 0);
        Assert.Equal(callsOfTheFirstTurn, Volatile.Read(ref calls));
        Assert.Single(api.Logs.Records, r => r.Level == LogLevel.Warning && r.Message.StartsWith("Memory is unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithMemoryDownReadinessSaysDegradedButStaysReady()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateClient();

        var response = await client.GetAsync(new Uri("/health", UriKind.Relative), Ct);
        var health = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Degraded", health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "memory").GetProperty("status").GetString());
    }
}
