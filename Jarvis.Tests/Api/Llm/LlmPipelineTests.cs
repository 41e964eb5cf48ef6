using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Jarvis.Api.Llm;
using Jarvis.ServiceDefaults.ConnectionStrings;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Ollama;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Jarvis.Tests.Api.Llm;

/// <summary>
/// The Api's chat pipeline as <see cref="LlmExtensions.AddLlm"/> registers it (OllamaSharp under Microsoft.Extensions.AI's
/// function invocation, OpenTelemetry and logging, over the ServiceDefaults HTTP client) against a spec-following fake
/// of Ollama's <c>POST /api/chat</c>: streamed and whole answers, tools, Ollama's failures in words, retries only before
/// the first token, and the GenAI spans and metrics.
/// </summary>
public sealed class LlmPipelineTests
{
    private const string Model = "llama3.2:1b";

    [Fact]
    public async Task StreamingSendsTheMessagesAndYieldsTokensInOrderThenUsage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var host = BuildHost(server.BaseAddress, Model);
        var client = host.Services.GetRequiredService<IChatClient>();

        List<ChatResponseUpdate> updates = [];
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "Why is the sky blue?")], cancellationToken: ct))
        {
            updates.Add(update);
        }

        var request = Assert.Single(server.ChatRequests).Json;
        Assert.Equal(Model, (string?)request["model"]);
        Assert.True((bool?)request["stream"]);
        Assert.Equal(
            """[{"role":"system","content":"Be brief."},{"role":"user","content":"Why is the sky blue?"}]""",
            request["messages"]!.ToJsonString());

        Assert.Equal("The sky is blue.", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(["The", " sky", " is", " blue", "."], updates.Select(u => u.Text).Where(t => t.Length > 0));
        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;
        Assert.Equal(26, usage.InputTokenCount);
        Assert.Equal(5, usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, updates.ToChatResponse().FinishReason);
    }

    [Fact]
    public async Task NonStreamingReturnsTheWholeMessageWithUsage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var host = BuildHost(server.BaseAddress, Model);

        var response = await host.Services.GetRequiredService<IChatClient>().GetResponseAsync("Why is the sky blue?", cancellationToken: ct);

        Assert.False((bool?)Assert.Single(server.ChatRequests).Json["stream"]);
        Assert.Equal("The sky is blue.", response.Text);
        Assert.Equal(Model, response.ModelId);
        Assert.Equal(26, response.Usage?.InputTokenCount);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task AToolTheModelCallsIsInvokedAndItsResultGoesBackToTheModel()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var host = BuildHost(server.BaseAddress, Model);
        List<string> cities = [];
        var tool = AIFunctionFactory.Create(
            (string city) =>
            {
                cities.Add(city);
                return $"11 degrees celsius in {city}";
            },
            "get_weather",
            "Get the weather in a given city");
        server.Enqueue(new FakeChatReply { ToolCalls = [new FakeToolCall("get_weather", new JsonObject { ["city"] = "Toronto" })] });

        var text = "";
        await foreach (var update in host.Services.GetRequiredService<IChatClient>().GetStreamingResponseAsync(
            [new(ChatRole.User, "what is the weather in Toronto?")], new ChatOptions { Tools = [tool] }, ct))
        {
            text += update.Text;
        }

        Assert.Equal(["Toronto"], cities);
        Assert.Equal("The sky is blue.", text);
        Assert.Equal(2, server.ChatRequests.Count);
        var offered = Assert.Single(server.ChatRequests[0].Json["tools"]!.AsArray())!;
        Assert.Equal("function", (string?)offered["type"]);
        Assert.Equal("get_weather", (string?)offered["function"]!["name"]);
        Assert.NotNull(offered["function"]!["parameters"]!["properties"]!["city"]);
        var messages = server.ChatRequests[1].Json["messages"]!.AsArray();
        Assert.Equal("get_weather", (string?)messages[1]!["tool_calls"]![0]!["function"]!["name"]);
        Assert.Equal("tool", (string?)messages[2]!["role"]);
        Assert.Contains("11 degrees celsius in Toronto", (string?)messages[2]!["content"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelWithoutToolSupportIsAToolsNotSupportedFailure()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync(["gemma:2b"], ct);
        server.ModelsWithoutTools["gemma:2b"] = true;
        using var host = BuildHost(server.BaseAddress, "gemma:2b");
        var tool = AIFunctionFactory.Create(() => "now", "time");

        var e = await Assert.ThrowsAsync<OllamaChatException>(() => host.Services.GetRequiredService<IChatClient>().GetResponseAsync("hi", new ChatOptions { Tools = [tool] }, ct));

        Assert.Equal(OllamaChatErrorKind.ToolsNotSupported, e.Kind);
        Assert.Contains("does not support tools", e.Message, StringComparison.Ordinal);
        Assert.Single(server.ChatRequests);
    }

    [Fact]
    public async Task AMissingModelSaysWhichAndHowToPullIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync(["qwen2.5:0.5b"], ct);
        using var host = BuildHost(server.BaseAddress, Model);
        var client = host.Services.GetRequiredService<IChatClient>();

        var streaming = await Assert.ThrowsAsync<OllamaChatException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct))
            {
                Assert.Fail($"Unexpected update {update}");
            }
        });
        var nonStreaming = await Assert.ThrowsAsync<OllamaChatException>(() => client.GetResponseAsync("hi", cancellationToken: ct));

        foreach (var e in new[] { streaming, nonStreaming })
        {
            Assert.Equal(OllamaChatErrorKind.ModelNotFound, e.Kind);
            Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
            Assert.Contains("'llama3.2:1b'", e.Message, StringComparison.Ordinal);
            Assert.Contains("ollama pull llama3.2:1b", e.Message, StringComparison.Ordinal);
        }

        // 404 is not transient: each call reached Ollama once.
        Assert.Equal(2, server.ChatRequests.Count);
    }

    [Fact]
    public async Task AnUnreachableOllamaIsAClearErrorAfterTheRetries()
    {
        var ct = TestContext.Current.CancellationToken;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var host = BuildHost(new Uri($"http://127.0.0.1:{port}"), Model);
        var client = host.Services.GetRequiredService<IChatClient>();

        var e = await Assert.ThrowsAsync<OllamaChatException>(() => client.GetResponseAsync("hi", cancellationToken: ct));
        var streaming = await Assert.ThrowsAsync<OllamaChatException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct))
            {
                Assert.Fail($"Unexpected update {update}");
            }
        });

        foreach (var error in new[] { e, streaming })
        {
            Assert.Equal(OllamaChatErrorKind.Unreachable, error.Kind);
            Assert.StartsWith($"Ollama is not reachable at http://127.0.0.1:{port}/", error.Message, StringComparison.Ordinal);
            Assert.Contains("ollama serve", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnErrorBeforeTheFirstTokenIsRetriedButAMidStreamErrorIsNot()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var host = BuildHost(server.BaseAddress, Model);
        var client = host.Services.GetRequiredService<IChatClient>();
        server.Enqueue(new FakeChatReply { Error = "llama runner process has terminated" });

        var response = await client.GetResponseAsync("hi", cancellationToken: ct);

        Assert.Equal("The sky is blue.", response.Text);
        Assert.Equal(2, server.ChatRequests.Count);

        server.Enqueue(new FakeChatReply { Error = "an error was encountered while running the model: unexpected EOF", TokensBeforeError = 2 });
        List<string> tokens = [];
        var e = await Assert.ThrowsAsync<OllamaChatException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct))
            {
                tokens.Add(update.Text);
            }
        });

        Assert.Equal(OllamaChatErrorKind.MidStream, e.Kind);
        Assert.Contains("failed mid-answer", e.Message, StringComparison.Ordinal);
        Assert.Equal(["The", " sky"], tokens);
        Assert.Equal(3, server.ChatRequests.Count);
    }

    [Fact]
    public async Task AnErrorStatusSaysWhichServerModelAndStatus()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var host = BuildHost(server.BaseAddress, Model);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // The first attempt and both retries fail.
            server.Enqueue(new FakeChatReply { Error = "llama runner process has terminated" });
        }

        var e = await Assert.ThrowsAsync<OllamaChatException>(() => host.Services.GetRequiredService<IChatClient>().GetResponseAsync("hi", cancellationToken: ct));

        Assert.Equal(OllamaChatErrorKind.ErrorResponse, e.Kind);
        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Contains($"Ollama at {server.BaseAddress}", e.Message, StringComparison.Ordinal);
        Assert.Contains("'llama3.2:1b'", e.Message, StringComparison.Ordinal);
        Assert.Contains("500", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, server.ChatRequests.Count);
    }

    [Fact]
    public async Task AMissingPromptEvalCountStillGivesUsage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var host = BuildHost(server.BaseAddress, Model);
        server.Enqueue(new FakeChatReply { PromptEvalCount = null, DoneReason = "length" });

        var response = await host.Services.GetRequiredService<IChatClient>().GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct).ToChatResponseAsync(ct);

        Assert.Equal(5, response.Usage?.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
    }

    [Fact]
    public async Task TheCallIsAGenAiSpanWithTokenUsageAndJarvisMetrics()
    {
        var ct = TestContext.Current.CancellationToken;
        const string model = "telemetry-model:1b";
        await using var server = await FakeOllamaServer.StartAsync([model], ct);
        using var host = BuildHost(server.BaseAddress, model);
        using var spans = new SpanCollector(LlmTelemetry.SourceName, SpanCollector.OfModel(model));
        using var measurements = new MeasurementCollector(model);
        server.Enqueue(new FakeChatReply { DelayBeforeFirstToken = TimeSpan.FromMilliseconds(50) });

        await foreach (var update in host.Services.GetRequiredService<IChatClient>().GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct))
        {
            Assert.NotNull(update);
        }

        var span = Assert.Single(spans.Stopped);
        Assert.Equal(LlmTelemetry.SourceName, span.Source.Name);
        Assert.Equal($"chat {model}", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("ollama", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(model, span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(26, Convert.ToInt32(span.GetTagItem("gen_ai.usage.input_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(5, Convert.ToInt32(span.GetTagItem("gen_ai.usage.output_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("127.0.0.1", span.GetTagItem("server.address"));

        var seen = measurements.Snapshot();
        var tokens = seen.Where(m => m.Instrument == "gen_ai.client.token.usage").ToList();
        Assert.Equal(26, Assert.Single(tokens, m => (string?)m.Tags["gen_ai.token.type"] == "input").Value);
        Assert.Equal(5, Assert.Single(tokens, m => (string?)m.Tags["gen_ai.token.type"] == "output").Value);
        var duration = Assert.Single(seen, m => m.Instrument == "gen_ai.client.operation.duration");
        var generate = Assert.Single(seen, m => m.Instrument == "llm_generate_seconds");
        var firstToken = Assert.Single(seen, m => m.Instrument == "llm_time_to_first_token_seconds");
        Assert.InRange(firstToken.Value, 0.04, generate.Value);
        Assert.True(duration.Value >= firstToken.Value);
        Assert.Equal("ollama", generate.Tags["gen_ai.provider.name"]);
    }

    [Fact]
    public async Task AFailedCallIsAnErrorSpanWithItsErrorTypeAndNoGeneration()
    {
        var ct = TestContext.Current.CancellationToken;
        const string model = "failing-telemetry-model:1b";
        await using var server = await FakeOllamaServer.StartAsync(["other:1b"], ct);
        using var host = BuildHost(server.BaseAddress, model);
        using var spans = new SpanCollector(LlmTelemetry.SourceName, SpanCollector.OfModel(model));
        using var measurements = new MeasurementCollector(model);

        await Assert.ThrowsAsync<OllamaChatException>(async () =>
        {
            await foreach (var update in host.Services.GetRequiredService<IChatClient>().GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct))
            {
                Assert.NotNull(update);
            }
        });

        var span = Assert.Single(spans.Stopped);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(OllamaChatException).FullName, span.GetTagItem("error.type"));
        var duration = Assert.Single(measurements.Snapshot());
        Assert.Equal("gen_ai.client.operation.duration", duration.Instrument);
        Assert.Equal(typeof(OllamaChatException).FullName, duration.Tags["error.type"]);
    }

    [Theory]
    [InlineData("Endpoint=http://localhost:11434;Model=llama3.2:1b", "http://localhost:11434/", "llama3.2:1b")]
    [InlineData("endpoint=http://ollama:11434/prefix;model= qwen2.5:0.5b ", "http://ollama:11434/prefix/", "qwen2.5:0.5b")]
    [InlineData("http://localhost:11434", "http://localhost:11434/", "configured:1b")]
    [InlineData("Endpoint=http://localhost:11434", "http://localhost:11434/", "configured:1b")]
    public void ConnectionStringsAreParsed(string connectionString, string endpoint, string model)
    {
        var connection = OllamaConnection.Parse(connectionString, "configured:1b");

        Assert.Equal(new Uri(endpoint), connection.Endpoint);
        Assert.Equal(model, connection.Model);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Model=llama3.2:1b", "no Endpoint")]
    [InlineData("Endpoint=ftp://host;Model=x", "http or https")]
    [InlineData("Endpoint=http://localhost:11434;Model=", "names no Model")]
    [InlineData("Endpoint=http://localhost:11434;Key=1", "unknown key 'key'")]
    [InlineData("Endpoint=http://localhost:11434", "Jarvis:Llm:Model")]
    public void BadConnectionStringsSayWhatIsWrong(string connectionString, string expected)
    {
        var e = Assert.Throws<FormatException>(() => OllamaConnection.Parse(connectionString, defaultModelSetting: LlmConfiguration.ModelKey));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigurationGivesTheConnectionAndTheDefaultModel()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ollama"] = "Endpoint=http://ollama:11434",
            ["Jarvis:Llm:Model"] = "llama3.2:1b",
        }).Build();

        var connection = LlmConfiguration.FromConfiguration(configuration);

        Assert.NotNull(connection);
        Assert.Equal(new Uri("http://ollama:11434/"), connection.Endpoint);
        Assert.Equal("llama3.2:1b", connection.Model);
        Assert.Null(LlmConfiguration.FromConfiguration(new ConfigurationBuilder().Build()));
        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:ollama"] = "Model=x" }).Build();
        Assert.Contains("ConnectionStrings:ollama", Assert.Throws<FormatException>(() => LlmConfiguration.FromConfiguration(bad)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamThatGoesSilentMidAnswerIsGivenUpAfterTheIdleTimeout()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var host = BuildHost(server.BaseAddress, Model, streamIdleTimeout: "00:00:00.300");
        var client = host.Services.GetRequiredService<IChatClient>();
        // A first token, then nothing for far longer than the idle timeout; the client itself waits on.
        server.Enqueue(new FakeChatReply { DelayBetweenTokens = TimeSpan.FromMinutes(5) });

        List<string> tokens = [];
        var e = await Assert.ThrowsAsync<OllamaChatException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct))
            {
                tokens.Add(update.Text);
            }
        });

        Assert.Equal(OllamaChatErrorKind.MidStream, e.Kind);
        Assert.Contains("sent nothing", e.Message, StringComparison.Ordinal);
        Assert.Equal(["The"], tokens);
    }

    /// <summary>The Api's LLM registration on the service defaults, pointed at <paramref name="endpoint"/>, with fast retries.</summary>
    private static IHost BuildHost(Uri endpoint, string model, string? streamIdleTimeout = null)
    {
        var builder = Host.CreateApplicationBuilder();
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:ollama"] = $"Endpoint={endpoint};Model={model}",
            ["HttpResilience:Retry:MaxRetryAttempts"] = "2",
            ["HttpResilience:Retry:Delay"] = "00:00:00.010",
            [LlmConfiguration.StreamIdleTimeoutKey] = streamIdleTimeout,
        };
        builder.Configuration.AddInMemoryCollection(values);
        builder.AddServiceDefaults();
        builder.AddLlm();
        return builder.Build();
    }

    /// <summary>Measurements of the GenAI and <c>llm_*</c> instruments tagged with one model.</summary>
    private sealed class MeasurementCollector : IDisposable
    {
        private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];
        private readonly MeterListener _listener;

        public MeasurementCollector(string model)
        {
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Name.StartsWith("gen_ai.", StringComparison.Ordinal) || instrument.Name.StartsWith("llm_", StringComparison.Ordinal))
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            {
                var copy = new Dictionary<string, object?>();
                foreach (var tag in tags)
                {
                    copy[tag.Key] = tag.Value;
                }

                if (copy.GetValueOrDefault("gen_ai.request.model") as string != model)
                {
                    return;
                }

                lock (_measurements)
                {
                    _measurements.Add((instrument.Name, value, copy));
                }
            }

            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.Start();
        }

        public IReadOnlyList<(string Instrument, double Value, Dictionary<string, object?> Tags)> Snapshot()
        {
            lock (_measurements)
            {
                return [.. _measurements];
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
