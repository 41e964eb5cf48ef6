using System.Net;
using System.Text.Json.Nodes;
using Jarvis.Memory.Embeddings.Ollama;
using Jarvis.ServiceDefaults.ConnectionStrings;
using Jarvis.Tests.Infrastructure.Ollama;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Jarvis.Tests.Memory.Ollama;

/// <summary>
/// <see cref="OllamaEmbeddingGenerator"/> against a spec-following fake of Ollama's <c>POST /api/embed</c>: the exact
/// request bodies, batching, order, usage, metadata, the dimension probe, and Ollama's errors.
/// </summary>
public sealed class OllamaEmbeddingGeneratorTests
{
    private const string Model = "nomic-embed-text";

    [Fact]
    public async Task OneTextIsSentAsAnArrayWithTheModelAndComesBackAsTheServersVector()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var generator = new OllamaEmbeddingGenerator(http, new OllamaConnection(server.BaseAddress, Model));

        var embeddings = await generator.GenerateAsync(["Why is the sky blue?"], cancellationToken: ct);

        var request = Assert.Single(server.EmbedRequests);
        Assert.Equal("""{"model":"nomic-embed-text","input":["Why is the sky blue?"]}""", request.Body);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var embedding = Assert.Single(embeddings);
        Assert.Equal(FakeOllamaServer.VectorFor("Why is the sky blue?"), embedding.Vector.ToArray());
        Assert.Equal(Model, embedding.ModelId);
        Assert.Equal(1.0, Math.Sqrt(embedding.Vector.ToArray().Sum(v => (double)v * v)), 5);
    }

    [Fact]
    public async Task ManyTextsGoInOneRequestInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var generator = new OllamaEmbeddingGenerator(http, new OllamaConnection(server.BaseAddress, Model));

        var embeddings = await generator.GenerateAsync(["Why is the sky blue?", "Why is the grass green?", "Why is the sky blue?"], cancellationToken: ct);

        var request = Assert.Single(server.EmbedRequests);
        Assert.Equal("""{"model":"nomic-embed-text","input":["Why is the sky blue?","Why is the grass green?","Why is the sky blue?"]}""", request.Body);
        Assert.Equal(3, embeddings.Count);
        Assert.Equal(FakeOllamaServer.VectorFor("Why is the sky blue?"), embeddings[0].Vector.ToArray());
        Assert.Equal(FakeOllamaServer.VectorFor("Why is the grass green?"), embeddings[1].Vector.ToArray());
        Assert.Equal(embeddings[0].Vector.ToArray(), embeddings[2].Vector.ToArray());
    }

    [Fact]
    public async Task OneHundredFiftyTextsAreSplitIntoOrderedBatchesOfSixtyFour()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var generator = new OllamaEmbeddingGenerator(http, new OllamaConnection(server.BaseAddress, Model));
        var texts = Enumerable.Range(0, 150).Select(i => $"memory number {i}").ToList();

        var embeddings = await generator.GenerateAsync(texts, cancellationToken: ct);

        Assert.Equal([64, 64, 22], server.EmbedRequests.Select(r => r.Inputs.Count));
        Assert.Equal(texts, server.EmbedRequests.SelectMany(r => r.Inputs));
        Assert.Equal(texts.Count, embeddings.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Equal(FakeOllamaServer.VectorFor(texts[i]), embeddings[i].Vector.ToArray());
        }
    }

    [Theory]
    [InlineData(1, 5, new[] { 1, 1, 1, 1, 1 })]
    [InlineData(2, 5, new[] { 2, 2, 1 })]
    [InlineData(5, 5, new[] { 5 })]
    [InlineData(10, 5, new[] { 5 })]
    public async Task TheMaximumBatchSizeIsConfigurable(int maxBatchSize, int count, int[] batches)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        var options = new OllamaEmbeddingOptions { MaxBatchSize = maxBatchSize };
        using var generator = new OllamaEmbeddingGenerator(http, new OllamaConnection(server.BaseAddress, Model), options);
        var texts = Enumerable.Range(0, count).Select(i => $"text {i}").ToList();

        var embeddings = await generator.GenerateAsync(texts, cancellationToken: ct);

        Assert.Equal(batches, server.EmbedRequests.Select(r => r.Inputs.Count));
        Assert.Equal(texts.Select(t => FakeOllamaServer.VectorFor(t)), embeddings.Select(e => e.Vector.ToArray()));
    }

    [Fact]
    public async Task NoTextsMakeNoRequest()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var generator = new OllamaEmbeddingGenerator(http, new OllamaConnection(server.BaseAddress, Model));

        var embeddings = await generator.GenerateAsync([], cancellationToken: ct);

        Assert.Empty(embeddings);
        Assert.Empty(server.EmbedRequests);
    }

    [Fact]
    public async Task UsageIsThePromptEvalCountSummedOverBatches()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        var options = new OllamaEmbeddingOptions { MaxBatchSize = 2 };
        using var generator = new OllamaEmbeddingGenerator(http, new OllamaConnection(server.BaseAddress, Model), options);
        string[] texts = ["one", "two words", "and three words"];

        var embeddings = await generator.GenerateAsync(texts, cancellationToken: ct);

        Assert.Equal(2, server.EmbedRequests.Count);
        var expected = texts.Sum(FakeOllamaServer.TokensFor);
        Assert.NotNull(embeddings.Usage);
        Assert.Equal(expected, embeddings.Usage.InputTokenCount);
        Assert.Equal(expected, embeddings.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task MetadataNamesOllamaTheEndpointTheModelAndTheDimensionsOnceKnown()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var generator = new OllamaEmbeddingGenerator(http, new OllamaConnection(server.BaseAddress, Model));

        var before = generator.GetService<EmbeddingGeneratorMetadata>();
        await generator.GenerateAsync(["hello"], cancellationToken: ct);
        var after = generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(before);
        Assert.Equal("ollama", before.ProviderName);
        Assert.Equal(server.BaseAddress, before.ProviderUri);
        Assert.Equal(Model, before.DefaultModelId);
        Assert.Null(before.DefaultModelDimensions);
        Assert.NotNull(after);
        Assert.Equal(FakeOllamaServer.ModelDimensions, after.DefaultModelDimensions);
        Assert.Same(generator, generator.GetService<OllamaEmbeddingGenerator>());
        Assert.Null(generator.GetService(typeof(EmbeddingGeneratorMetadata), "some key"));
    }

    [Fact]
    public async Task DescribeAsyncProbesOnceForTheDimensionAndNamesTheCollection()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var generator = new OllamaEmbeddingGenerator(http, new OllamaConnection(server.BaseAddress, Model));
        Assert.Null(generator.Descriptor);

        var descriptor = await generator.DescribeAsync(ct);
        var again = await generator.DescribeAsync(ct);

        Assert.Equal("ollama", descriptor.Provider);
        Assert.Equal(Model, descriptor.Model);
        Assert.Equal(FakeOllamaServer.ModelDimensions, descriptor.Dimensions);
        Assert.Equal("ollama-nomic-embed-text-16", descriptor.Id);
        Assert.Equal(descriptor, again);
        Assert.Equal(FakeOllamaServer.ModelDimensions, generator.Dimensions);
        var probe = Assert.Single(server.EmbedRequests);
        Assert.Equal([OllamaEmbeddingGenerator.ProbeText], probe.Inputs);
    }

    [Fact]
    public async Task ConfiguredDimensionsAndKeepAliveAreSentAndTheVectorsAreCut()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        var options = new OllamaEmbeddingOptions { Dimensions = 8, KeepAlive = "10m" };
        using var generator = new OllamaEmbeddingGenerator(http, new OllamaConnection(server.BaseAddress, Model), options);

        var descriptor = await generator.DescribeAsync(ct);
        var embedding = Assert.Single(await generator.GenerateAsync(["hello"], cancellationToken: ct));

        Assert.Equal($$"""{"model":"nomic-embed-text","input":["{{OllamaEmbeddingGenerator.ProbeText}}"],"dimensions":8,"keep_alive":"10m"}""", server.EmbedRequests[0].Body);
        Assert.Equal(8, descriptor.Dimensions);
        Assert.Equal("ollama-nomic-embed-text-8", descriptor.Id);
        Assert.Equal(FakeOllamaServer.VectorFor("hello", 8), embedding.Vector.ToArray());
    }

    [Fact]
    public async Task PerCallModelAndDimensionsOverrideButDoNotChangeTheEmbeddersDimension()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model, "all-minilm"], ct);
        using var http = new HttpClient();
        using var generator = new OllamaEmbeddingGenerator(http, new OllamaConnection(server.BaseAddress, Model));

        var embedding = Assert.Single(await generator.GenerateAsync(["hello"], new EmbeddingGenerationOptions { ModelId = "all-minilm", Dimensions = 4 }, ct));

        Assert.Equal("""{"model":"all-minilm","input":["hello"],"dimensions":4}""", Assert.Single(server.EmbedRequests).Body);
        Assert.Equal("all-minilm", embedding.ModelId);
        Assert.Equal(4, embedding.Vector.Length);
        Assert.Null(generator.Dimensions);
    }

    [Fact]
    public async Task AnUnknownModelFailsWithOllamasErrorTextAndStatus()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var generator = new OllamaEmbeddingGenerator(http, new OllamaConnection(server.BaseAddress, "x"));

        var error = await Assert.ThrowsAsync<OllamaException>(() => generator.DescribeAsync(ct));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("model \"x\" not found, try pulling it first", error.OllamaError);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.Contains("model \"x\" not found, try pulling it first", error.Message, StringComparison.Ordinal);
        Assert.Contains(server.BaseAddress.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Null(generator.Descriptor);
    }

    [Fact]
    public async Task AnErrorInALaterBatchFailsTheWholeCall()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        var options = new OllamaEmbeddingOptions { MaxBatchSize = 1 };
        using var generator = new OllamaEmbeddingGenerator(http, new OllamaConnection(server.BaseAddress, Model), options);
        await generator.GenerateAsync(["warm up"], cancellationToken: ct);
        server.FailNext(400, "the input length exceeds the context length");
        server.FailNext(400, "the input length exceeds the context length");

        var error = await Assert.ThrowsAsync<OllamaException>(() => generator.GenerateAsync(["a", "b"], cancellationToken: ct));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("the input length exceeds the context length", error.OllamaError);
        Assert.Equal(2, server.EmbedRequests.Count);
    }

    [Fact]
    public async Task AnErrorBodyThatIsNotOllamasIsQuotedWithoutSecrets()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        using var http = new HttpClient();
        using var generator = new OllamaEmbeddingGenerator(http, new OllamaConnection(server.BaseAddress, Model));
        server.FailNextRaw(403, "text/plain", "forbidden: api_key=hunter2secret is not allowed");

        var error = await Assert.ThrowsAsync<OllamaException>(() => generator.GenerateAsync(["hello"], cancellationToken: ct));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Null(error.OllamaError);
        Assert.Contains("403", error.Message, StringComparison.Ordinal);
        Assert.Contains("forbidden", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerErrorIsRetriedByTheServiceDefaultsPipeline()
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
        builder.Services.AddSingleton(new OllamaConnection(server.BaseAddress, Model));
        builder.Services.AddHttpClient<OllamaEmbeddingGenerator>();
        using var host = builder.Build();
        server.FailNext(500, "llama runner process has terminated", times: 2);

        var generator = host.Services.GetRequiredService<OllamaEmbeddingGenerator>();
        var embedding = Assert.Single(await generator.GenerateAsync(["hello"], cancellationToken: ct));

        Assert.Equal(FakeOllamaServer.VectorFor("hello"), embedding.Vector.ToArray());
        Assert.Equal(3, server.EmbedRequests.Count);
        Assert.All(server.EmbedRequests, r => Assert.Equal("""{"model":"nomic-embed-text","input":["hello"]}""", r.Body));
    }

    [Fact]
    public async Task AMissingModelIsNotRetried()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await FakeOllamaServer.StartAsync([Model], ct);
        var builder = Host.CreateApplicationBuilder();
        builder.AddServiceDefaults();
        builder.Services.AddSingleton(new OllamaConnection(server.BaseAddress, "x"));
        builder.Services.AddHttpClient<OllamaEmbeddingGenerator>();
        using var host = builder.Build();

        var generator = host.Services.GetRequiredService<OllamaEmbeddingGenerator>();
        var error = await Assert.ThrowsAsync<OllamaException>(() => generator.GenerateAsync(["hello"], cancellationToken: ct));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Single(server.EmbedRequests);
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
