using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Api.Llm;
using Jarvis.ServiceDefaults.ConnectionStrings;
using Jarvis.Tests.Infrastructure.Ollama;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Jarvis.Tests.Api.Llm;

/// <summary>
/// <see cref="OllamaChatClient"/> against a spec-following fake of Ollama's <c>POST /api/chat</c>: exact request bodies,
/// streaming and non-streaming answers, tool calls, Ollama's errors, and the GenAI span and metrics.
/// </summary>
public sealed class OllamaChatClientTests
{
    private const string Model = "llama3.2:1b";

    [Fact]
    public async Task StreamingSendsTheMessagesAndYieldsTokensInOrderThenUsage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, new OllamaConnection(server.BaseAddress, Model));

        List<ChatResponseUpdate> updates = [];
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "Why is the sky blue?")], cancellationToken: ct))
        {
            updates.Add(update);
        }

        var request = Assert.Single(server.ChatRequests);
        Assert.Equal(
            """{"model":"llama3.2:1b","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Why is the sky blue?"}],"stream":true}""",
            request.Body);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);

        Assert.Equal(6, updates.Count);
        Assert.Equal(["The", " sky", " is", " blue", "."], updates.Take(5).Select(u => u.Text));
        Assert.All(updates.Take(5), u => Assert.Null(u.FinishReason));
        Assert.All(updates, u => Assert.Equal(ChatRole.Assistant, u.Role));
        Assert.All(updates, u => Assert.Equal(Model, u.ModelId));
        Assert.All(updates, u => Assert.NotNull(u.CreatedAt));
        var last = updates[^1];
        Assert.Equal(ChatFinishReason.Stop, last.FinishReason);
        var usage = Assert.Single(last.Contents.OfType<UsageContent>()).Details;
        Assert.Equal(26, usage.InputTokenCount);
        Assert.Equal(5, usage.OutputTokenCount);
        Assert.Equal(31, usage.TotalTokenCount);
        Assert.Equal(4883583458L, usage.AdditionalCounts!["total_duration"]);
        Assert.Equal(4535599000L, usage.AdditionalCounts["eval_duration"]);

        var response = updates.ToChatResponse();
        Assert.Equal("The sky is blue.", response.Text);
        Assert.Equal(26, response.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task NonStreamingReturnsTheWholeMessageWithUsage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, new OllamaConnection(server.BaseAddress, Model));

        var response = await client.GetResponseAsync("Why is the sky blue?", cancellationToken: ct);

        Assert.Equal("""{"model":"llama3.2:1b","messages":[{"role":"user","content":"Why is the sky blue?"}],"stream":false}""", Assert.Single(server.ChatRequests).Body);
        Assert.Equal("The sky is blue.", response.Text);
        Assert.Equal(ChatRole.Assistant, Assert.Single(response.Messages).Role);
        Assert.Equal(Model, response.ModelId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.NotNull(response.CreatedAt);
        Assert.Equal(26, response.Usage?.InputTokenCount);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task OptionsKeepAliveAndModelOverrideGoIntoTheBody()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model, "qwen2.5:0.5b"], ct);
        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, new OllamaConnection(server.BaseAddress, Model), options: new OllamaChatClientOptions { KeepAlive = "10m" });

        var options = new ChatOptions
        {
            Temperature = 0.5f,
            TopP = 0.9f,
            TopK = 40,
            MaxOutputTokens = 128,
            StopSequences = ["\n\n", "User:"],
            Seed = 42,
        };
        await client.GetResponseAsync("Salut, ça va ?", options, ct);
        await client.GetResponseAsync("hi", new ChatOptions { ModelId = "qwen2.5:0.5b", AdditionalProperties = new() { ["keep_alive"] = "-1", ["num_ctx"] = 4096 } }, ct);

        var requests = server.ChatRequests;
        Assert.Equal(
            """{"model":"llama3.2:1b","messages":[{"role":"user","content":"Salut, ça va ?"}],"stream":false,"options":{"temperature":0.5,"top_p":0.9,"top_k":40,"num_predict":128,"stop":["\n\n","User:"],"seed":42},"keep_alive":"10m"}""",
            requests[0].Body);
        Assert.Equal(
            """{"model":"qwen2.5:0.5b","messages":[{"role":"user","content":"hi"}],"stream":false,"options":{"num_ctx":4096},"keep_alive":"-1"}""",
            requests[1].Body);
    }

    [Fact]
    public async Task ToolCallsRoundTripAsFunctionCallsAndToolMessages()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, new OllamaConnection(server.BaseAddress, Model));
        var tool = AIFunctionFactory.CreateDeclaration(
            "get_weather",
            "Get the weather in a given city",
            JsonElement.Parse("""{"type":"object","properties":{"city":{"type":"string","description":"The city to get the weather for"}},"required":["city"]}"""));
        var options = new ChatOptions { Tools = [tool] };
        server.Enqueue(new FakeChatReply { ToolCalls = [new FakeToolCall("get_weather", new JsonObject { ["city"] = "Toronto" })] });
        List<ChatMessage> history = [new(ChatRole.User, "what is the weather in Toronto?")];

        List<ChatResponseUpdate> updates = [];
        await foreach (var update in client.GetStreamingResponseAsync(history, options, ct))
        {
            updates.Add(update);
        }

        var toolsJson = """[{"type":"function","function":{"name":"get_weather","description":"Get the weather in a given city","parameters":{"type":"object","properties":{"city":{"type":"string","description":"The city to get the weather for"}},"required":["city"]}}}]""";
        Assert.Equal(
            """{"model":"llama3.2:1b","messages":[{"role":"user","content":"what is the weather in Toronto?"}],"tools":""" + toolsJson + ""","stream":true}""",
            server.ChatRequests[0].Body);
        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        Assert.Equal("Toronto", Assert.IsType<JsonElement>(call.Arguments!["city"]).GetString());
        Assert.Equal(ChatFinishReason.ToolCalls, updates[^1].FinishReason);

        history.AddMessages(updates);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "11 degrees celsius")]));
        var answer = await client.GetResponseAsync(history, new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.None }, ct);

        Assert.Equal(
            """{"model":"llama3.2:1b","messages":[{"role":"user","content":"what is the weather in Toronto?"},{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Toronto"}}}]},{"role":"tool","content":"11 degrees celsius","tool_name":"get_weather"}],"stream":false}""",
            server.ChatRequests[1].Body);
        Assert.Equal("The sky is blue.", answer.Text);
    }

    [Fact]
    public async Task NonStreamingToolCallsComeBackAsFunctionCalls()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, new OllamaConnection(server.BaseAddress, Model));
        var tool = AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather", "Get the weather in a given city");
        server.Enqueue(new FakeChatReply { ToolCalls = [new FakeToolCall("get_weather", new JsonObject { ["city"] = "Tokyo" })] });

        var response = await client.GetResponseAsync("weather in tokyo?", new ChatOptions { Tools = [tool] }, ct);

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var sentTool = Assert.Single(server.ChatRequests[0].Json["tools"]!.AsArray())!;
        Assert.Equal("function", (string?)sentTool["type"]);
        Assert.Equal("get_weather", (string?)sentTool["function"]!["name"]);
        Assert.Equal("object", (string?)sentTool["function"]!["parameters"]!["type"]);
        Assert.NotNull(sentTool["function"]!["parameters"]!["properties"]!["city"]);
    }

    [Fact]
    public async Task AMissingModelSaysWhichAndHowToPullIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync(["qwen2.5:0.5b"], ct);
        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, new OllamaConnection(server.BaseAddress, Model));

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
            Assert.Equal("model 'llama3.2:1b' not found", e.OllamaError);
            Assert.Contains("'llama3.2:1b'", e.Message, StringComparison.Ordinal);
            Assert.Contains("ollama pull llama3.2:1b", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnUnreachableOllamaIsAClearError()
    {
        var ct = TestContext.Current.CancellationToken;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, OllamaConnection.Parse($"Endpoint=http://127.0.0.1:{port};Model={Model}"));

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
    public async Task AMidStreamErrorIsThrownAfterTheTokensAlreadyYielded()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, new OllamaConnection(server.BaseAddress, Model));
        server.Enqueue(new FakeChatReply { Error = "an error was encountered while running the model: unexpected EOF", TokensBeforeError = 2 });

        List<string> tokens = [];
        var e = await Assert.ThrowsAsync<OllamaChatException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct))
            {
                tokens.Add(update.Text);
            }
        });

        Assert.Equal(["The", " sky"], tokens);
        Assert.Equal(OllamaChatErrorKind.MidStream, e.Kind);
        Assert.Equal("an error was encountered while running the model: unexpected EOF", e.OllamaError);
        Assert.Contains("unexpected EOF", e.Message, StringComparison.Ordinal);
        Assert.Single(server.ChatRequests);
    }

    [Fact]
    public async Task AnErrorStatusQuotesOllamasError()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, new OllamaConnection(server.BaseAddress, Model));
        server.Enqueue(new FakeChatReply { Error = "llama runner process has terminated" });

        var e = await Assert.ThrowsAsync<OllamaChatException>(() => client.GetResponseAsync("hi", cancellationToken: ct));

        Assert.Equal(OllamaChatErrorKind.ErrorResponse, e.Kind);
        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Contains("500", e.Message, StringComparison.Ordinal);
        Assert.Contains("llama runner process has terminated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingPromptEvalCountStillGivesUsage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, new OllamaConnection(server.BaseAddress, Model));
        server.Enqueue(new FakeChatReply { PromptEvalCount = null, DoneReason = "length" });

        var response = await client.GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct).ToChatResponseAsync(ct);

        Assert.Equal(0, response.Usage?.InputTokenCount);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
    }

    [Fact]
    public void MetadataNamesOllamaTheEndpointAndTheModel()
    {
        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, OllamaConnection.Parse("Endpoint=http://ollama:11434;Model=llama3.2:1b"));

        var metadata = Assert.IsType<ChatClientMetadata>(client.GetService(typeof(ChatClientMetadata)));

        Assert.Equal("ollama", metadata.ProviderName);
        Assert.Equal(new Uri("http://ollama:11434/"), metadata.ProviderUri);
        Assert.Equal("llama3.2:1b", metadata.DefaultModelId);
        Assert.Same(client, client.GetService(typeof(IChatClient)));
        Assert.Null(client.GetService(typeof(ChatClientMetadata), "key"));
    }

    [Fact]
    public async Task TheCallIsAGenAiSpanAndIsMeasured()
    {
        var ct = TestContext.Current.CancellationToken;
        const string model = "telemetry-model:1b";
        await using var server = await FakeOllamaServer.StartAsync([model], ct);
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var telemetry = new LlmTelemetry(meterFactory);

        List<Activity> activities = [];
        using var activityListener = ListenToSpansOf(model, activities);

        List<(string Instrument, double Value, Dictionary<string, object?> Tags)> measurements = [];
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Jarvis.Api" && instrument.Meter.Scope == meterFactory)
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

            lock (measurements)
            {
                measurements.Add((instrument.Name, value, copy));
            }
        }

        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        meterListener.Start();

        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, new OllamaConnection(server.BaseAddress, model), telemetry);
        server.Enqueue(new FakeChatReply { DelayBeforeFirstToken = TimeSpan.FromMilliseconds(50) });
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct))
        {
            Assert.NotNull(update);
        }

        var activity = Assert.Single(activities);
        Assert.Equal($"chat {model}", activity.DisplayName);
        Assert.Equal(ActivityKind.Client, activity.Kind);
        Assert.Equal("ollama", activity.GetTagItem("gen_ai.system"));
        Assert.Equal("chat", activity.GetTagItem("gen_ai.operation.name"));
        Assert.Equal(model, activity.GetTagItem("gen_ai.request.model"));
        Assert.Equal(model, activity.GetTagItem("gen_ai.response.model"));
        Assert.Equal(26L, activity.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(5L, activity.GetTagItem("gen_ai.usage.output_tokens"));

        List<(string Instrument, double Value, Dictionary<string, object?> Tags)> seen;
        lock (measurements)
        {
            seen = [.. measurements];
        }

        var tokens = seen.Where(m => m.Instrument == "gen_ai.client.token.usage").ToList();
        Assert.Equal(26, Assert.Single(tokens, m => (string?)m.Tags["gen_ai.token.type"] == "input").Value);
        Assert.Equal(5, Assert.Single(tokens, m => (string?)m.Tags["gen_ai.token.type"] == "output").Value);
        Assert.All(tokens, m => Assert.Equal(model, m.Tags["gen_ai.request.model"]));
        Assert.All(tokens, m => Assert.Equal("ollama", m.Tags["gen_ai.system"]));
        var duration = Assert.Single(seen, m => m.Instrument == "gen_ai.client.operation.duration");
        var generate = Assert.Single(seen, m => m.Instrument == "llm_generate_seconds");
        var firstToken = Assert.Single(seen, m => m.Instrument == "llm_time_to_first_token_seconds");
        Assert.InRange(firstToken.Value, 0.04, generate.Value);
        Assert.True(duration.Value >= firstToken.Value);
        Assert.Equal("chat", duration.Tags["gen_ai.operation.name"]);

        var instruments = new Dictionary<string, string?>();
        using var unitListener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Scope == meterFactory)
                {
                    instruments[instrument.Name] = instrument.Unit;
                }
            },
        };
        unitListener.Start();
        Assert.Equal("{token}", instruments["gen_ai.client.token.usage"]);
        Assert.Equal("s", instruments["gen_ai.client.operation.duration"]);
        Assert.Equal("s", instruments["llm_generate_seconds"]);
        Assert.Equal("s", instruments["llm_time_to_first_token_seconds"]);
    }

    [Fact]
    public async Task AFailedCallIsAnErrorSpanAndAnOperationDurationWithErrorType()
    {
        var ct = TestContext.Current.CancellationToken;
        const string model = "failing-telemetry-model:1b";
        await using var server = await FakeOllamaServer.StartAsync(["other:1b"], ct);
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        List<Activity> activities = [];
        using var activityListener = ListenToSpansOf(model, activities);
        List<(string Name, object? ErrorType)> measurements = [];
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == meterFactory)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            object? errorType = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "error.type")
                {
                    errorType = tag.Value;
                }
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, errorType));
            }
        });
        meterListener.Start();
        using var http = new HttpClient();
        using var client = new OllamaChatClient(http, new OllamaConnection(server.BaseAddress, model), new LlmTelemetry(meterFactory));

        await Assert.ThrowsAsync<OllamaChatException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct))
            {
                Assert.NotNull(update);
            }
        });

        var activity = Assert.Single(activities);
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Equal("ollama.ModelNotFound", activity.GetTagItem("error.type"));
        var duration = Assert.Single(measurements);
        Assert.Equal("gen_ai.client.operation.duration", duration.Name);
        Assert.Equal("ollama.ModelNotFound", duration.ErrorType);
    }

    [Fact]
    public async Task ThroughTheResiliencePipelineAnErrorBeforeTheFirstTokenIsRetriedButAMidStreamErrorIsNot()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var host = BuildHost();
        var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("ollama");
        using var client = new OllamaChatClient(http, new OllamaConnection(server.BaseAddress, Model));
        server.Enqueue(new FakeChatReply { Error = "llama runner process has terminated" });

        var response = await client.GetResponseAsync("hi", cancellationToken: ct);

        Assert.Equal("The sky is blue.", response.Text);
        Assert.Equal(2, server.ChatRequests.Count);

        server.Enqueue(new FakeChatReply { Error = "an error was encountered while running the model", TokensBeforeError = 1 });
        List<string> tokens = [];
        var e = await Assert.ThrowsAsync<OllamaChatException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "hi")], cancellationToken: ct))
            {
                tokens.Add(update.Text);
            }
        });

        Assert.Equal(OllamaChatErrorKind.MidStream, e.Kind);
        Assert.Equal(["The"], tokens);
        Assert.Equal(3, server.ChatRequests.Count);
    }

    [Fact]
    public async Task ThroughTheResiliencePipelineAnUnreachableOllamaIsStillAClearError()
    {
        var ct = TestContext.Current.CancellationToken;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var host = BuildHost();
        var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("ollama");
        using var client = new OllamaChatClient(http, OllamaConnection.Parse($"http://127.0.0.1:{port}", Model));

        var e = await Assert.ThrowsAsync<OllamaChatException>(() => client.GetResponseAsync("hi", cancellationToken: ct));

        Assert.Equal(OllamaChatErrorKind.Unreachable, e.Kind);
        Assert.StartsWith($"Ollama is not reachable at http://127.0.0.1:{port}/", e.Message, StringComparison.Ordinal);
    }

    private static IHost BuildHost()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HttpResilience:Retry:MaxRetryAttempts"] = "2",
            ["HttpResilience:Retry:Delay"] = "00:00:00.010",
        });
        builder.AddServiceDefaults();
        builder.Services.AddHttpClient("ollama");
        return builder.Build();
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

    /// <summary>Collects the stopped <c>Jarvis.Api</c> spans of <paramref name="model"/> (other tests run other models at once).</summary>
    private static ActivityListener ListenToSpansOf(string model, List<Activity> activities)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Jarvis.Api",
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("gen_ai.request.model") as string == model)
                {
                    lock (activities)
                    {
                        activities.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
