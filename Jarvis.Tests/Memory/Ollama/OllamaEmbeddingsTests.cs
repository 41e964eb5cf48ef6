using System.Net;
using System.Text.Json.Nodes;
using Jarvis.Memory.Embeddings.Ollama;
using Jarvis.ServiceDefaults.ConnectionStrings;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Ollama;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Jarvis.Tests.Memory.Ollama;

/// <summary>
/// Memory's embedding pipeline (<see cref="OllamaEmbeddings"/>: OllamaSharp under Microsoft.Extensions.AI's OpenTelemetry
/// and logging) against a spec-following fake of Ollama's <c>POST /api/embed</c>: what is sent, order, usage, the
/// dimension probe, Ollama's failures in words, and retries through the ServiceDefaults pipeline.
/// </summary>
public sealed class OllamaEmbeddingsTests
{
    private const string Model = "nomic-embed-text";

    [Fact]
    public async Task TextsAreSentWithTheModelAndComeBackAsTheServersVectorsInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var generator = OllamaEmbeddings.Create(http, new OllamaConnection(server.BaseAddress, Model));

        var embeddings = await generator.GenerateAsync(["Why is the sky blue?", "Why is the grass green?", "Why is the sky blue?"], cancellationToken: ct);

        var request = Assert.Single(server.EmbedRequests);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Equal(Model, (string?)request.Json["model"]);
        Assert.Equal(["Why is the sky blue?", "Why is the grass green?", "Why is the sky blue?"], request.Inputs);
        Assert.Equal(3, embeddings.Count);
        Assert.Equal(FakeOllamaServer.VectorFor("Why is the sky blue?"), embeddings[0].Vector.ToArray());
        Assert.Equal(FakeOllamaServer.VectorFor("Why is the grass green?"), embeddings[1].Vector.ToArray());
        Assert.Equal(embeddings[0].Vector.ToArray(), embeddings[2].Vector.ToArray());
        Assert.Equal(1.0, Math.Sqrt(embeddings[0].Vector.ToArray().Sum(v => (double)v * v)), 5);
        var tokens = FakeOllamaServer.TokensFor("Why is the sky blue?") * 2 + FakeOllamaServer.TokensFor("Why is the grass green?");
        Assert.Equal(tokens, embeddings.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task DescribeAsyncProbesForTheDimensionAndNamesTheCollection()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        var connection = new OllamaConnection(server.BaseAddress, Model);
        using var generator = OllamaEmbeddings.Create(http, connection);

        var descriptor = await OllamaEmbeddings.DescribeAsync(generator, connection, ct);

        Assert.Equal("ollama", descriptor.Provider);
        Assert.Equal(Model, descriptor.Model);
        Assert.Equal(FakeOllamaServer.ModelDimensions, descriptor.Dimensions);
        Assert.Equal("ollama-nomic-embed-text-16", descriptor.Id);
        Assert.Equal([OllamaEmbeddings.ProbeText], Assert.Single(server.EmbedRequests).Inputs);
    }

    [Fact]
    public async Task PerCallModelAndDimensionsAreSent()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model, "all-minilm"], ct);
        using var http = new HttpClient();
        using var generator = OllamaEmbeddings.Create(http, new OllamaConnection(server.BaseAddress, Model));

        var embedding = Assert.Single(await generator.GenerateAsync(["hello"], new EmbeddingGenerationOptions { ModelId = "all-minilm", Dimensions = 4 }, ct));

        var request = Assert.Single(server.EmbedRequests).Json;
        Assert.Equal("all-minilm", (string?)request["model"]);
        Assert.Equal(4, (int?)request["dimensions"]);
        Assert.Equal(FakeOllamaServer.VectorFor("hello", 4), embedding.Vector.ToArray());
    }

    [Fact]
    public async Task AnUnknownModelSaysWhichAndHowToPullIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        var connection = new OllamaConnection(server.BaseAddress, "x");
        using var generator = OllamaEmbeddings.Create(http, connection);

        var error = await Assert.ThrowsAsync<OllamaEmbeddingException>(() => OllamaEmbeddings.DescribeAsync(generator, connection, ct));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("'x'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ollama pull x", error.Message, StringComparison.Ordinal);
        Assert.Contains(server.BaseAddress.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusalQuotesOllamasErrorWithoutSecrets()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var generator = OllamaEmbeddings.Create(http, new OllamaConnection(server.BaseAddress, Model));
        server.FailNext(400, "the input length exceeds the context length");
        server.FailNextRaw(400, "text/plain", "forbidden: api_key=hunter2secret is not allowed");

        var refusal = await Assert.ThrowsAsync<OllamaEmbeddingException>(() => generator.GenerateAsync(["a"], cancellationToken: ct));
        var proxied = await Assert.ThrowsAsync<OllamaEmbeddingException>(() => generator.GenerateAsync(["b"], cancellationToken: ct));

        Assert.Equal(HttpStatusCode.BadRequest, refusal.StatusCode);
        Assert.Contains("the input length exceeds the context length", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("forbidden", proxied.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2secret", proxied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnErrorStatusNamesTheServerTheModelAndTheStatus()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var generator = OllamaEmbeddings.Create(http, new OllamaConnection(server.BaseAddress, Model));
        server.FailNextRaw(403, "text/plain", "forbidden");

        var error = await Assert.ThrowsAsync<OllamaEmbeddingException>(() => generator.GenerateAsync(["hello"], cancellationToken: ct));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Contains("403", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{Model}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerErrorIsRetriedByTheServiceDefaultsPipelineAndAMissingModelIsNot()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HttpResilience:Retry:Delay"] = "00:00:00.010",
            ["HttpResilience:Retry:UseJitter"] = "false",
        });
        builder.AddServiceDefaults();
        using var host = builder.Build();
        var factory = host.Services.GetRequiredService<IHttpClientFactory>();
        using var generator = OllamaEmbeddings.Create(factory.CreateClient("ollama"), new OllamaConnection(server.BaseAddress, Model));
        using var missing = OllamaEmbeddings.Create(factory.CreateClient("ollama"), new OllamaConnection(server.BaseAddress, "x"));
        server.FailNext(500, "llama runner process has terminated", times: 2);

        var embedding = Assert.Single(await generator.GenerateAsync(["hello"], cancellationToken: ct));
        Assert.Equal(FakeOllamaServer.VectorFor("hello"), embedding.Vector.ToArray());
        Assert.Equal(3, server.EmbedRequests.Count);
        Assert.All(server.EmbedRequests, r => Assert.Equal(["hello"], r.Inputs));

        await Assert.ThrowsAsync<OllamaEmbeddingException>(() => missing.GenerateAsync(["hello"], cancellationToken: ct));
        Assert.Equal(4, server.EmbedRequests.Count);
    }

    [Fact]
    public async Task EachCallIsAGenAiEmbeddingsSpan()
    {
        var ct = TestContext.Current.CancellationToken;
        const string model = "span-embed-model";
        await using var server = await FakeOllamaServer.StartAsync([model], ct);
        using var spans = new SpanCollector(OllamaEmbeddings.SourceName, SpanCollector.OfModel(model));
        using var http = new HttpClient();
        using var generator = OllamaEmbeddings.Create(http, new OllamaConnection(server.BaseAddress, model));

        await generator.GenerateAsync(["hello world"], cancellationToken: ct);

        var span = Assert.Single(spans.Stopped);
        Assert.Equal($"embeddings {model}", span.DisplayName);
        Assert.Equal("embeddings", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("ollama", span.GetTagItem("gen_ai.provider.name"));
    }

    [Fact]
    public async Task TheFakeFollowsTheSpecForStringInputAndBadBodies()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string body)
        {
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("api/embed", content, ct);
            return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)));
        }

        var single = await PostAsync("""{"model":"nomic-embed-text:latest","input":"Why is the sky blue?"}""");
        Assert.Equal(HttpStatusCode.OK, single.Status);
        Assert.Equal("nomic-embed-text:latest", (string?)single.Body!["model"]);
        Assert.Equal(FakeOllamaServer.ModelDimensions, single.Body["embeddings"]!.AsArray().Single()!.AsArray().Count);
        Assert.Equal(FakeOllamaServer.TokensFor("Why is the sky blue?"), (int)single.Body["prompt_eval_count"]!);

        var none = await PostAsync("""{"model":"nomic-embed-text"}""");
        Assert.Equal(HttpStatusCode.OK, none.Status);
        Assert.Empty(none.Body!["embeddings"]!.AsArray());

        var empty = await PostAsync("");
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Equal("missing request body", (string?)empty.Body!["error"]);

        var number = await PostAsync("""{"model":"nomic-embed-text","input":[1]}""");
        Assert.Equal(HttpStatusCode.BadRequest, number.Status);
        Assert.Equal("invalid input type", (string?)number.Body!["error"]);

        var unknown = await PostAsync("""{"model":"llama3.2","input":"hi"}""");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("model \"llama3.2\" not found, try pulling it first", (string?)unknown.Body!["error"]);
    }
}
