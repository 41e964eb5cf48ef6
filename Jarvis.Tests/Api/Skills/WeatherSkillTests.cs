using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Tests.Api.Chat;
using Jarvis.Tests.Infrastructure.Ollama;
using Jarvis.Tests.Infrastructure.OpenMeteo;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.Api.Skills;

/// <summary>
/// The weather skill in the Api, against a spec-following fake of Open-Meteo: the offline router's English and French
/// phrasings, a city not found, Open-Meteo failing or too slow, the temperature unit, its log record, and the
/// <c>get_weather</c> tool called by a model.
/// </summary>
public sealed class WeatherSkillTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("what's the weather in Paris", "In Paris, France it is 18.4 °C, partly cloudy, wind 12.6 km/h. Today: 14.1 to 21.7 °C, 20 % chance of rain.")]
    [InlineData("Weather in Lyon tomorrow", "Tomorrow in Lyon, France: partly cloudy, 16 to 27.3 °C, 10 % chance of rain.")]
    [InlineData("Is it going to rain in London?", "Yes, rain is likely in London, United Kingdom today (90 % chance).")]
    [InlineData("Quel temps fait-il à Paris ?", "À Paris, France, il fait 18.4 °C, partiellement nuageux, vent 12.6 km/h. Aujourd'hui : de 14.1 à 21.7 °C, 20 % de risque de pluie.")]
    [InlineData("météo à Lyon demain", "Demain à Lyon, France : partiellement nuageux, de 16 à 27.3 °C, 10 % de risque de pluie.")]
    [InlineData("Va-t-il pleuvoir à Londres ?", "Oui, il va probablement pleuvoir à Londres, Royaume-Uni aujourd'hui (90 % de risque).")]
    public async Task TheRouterAnswersEachPhrasingInItsLanguage(string message, string expected)
    {
        await using var openMeteo = await FakeOpenMeteoServer.StartAsync(Ct);
        await using var api = new ApiFactory(Settings(openMeteo));
        using var client = api.CreateKeyedClient();

        var body = await ChatAsync(client, message);

        Assert.Equal(expected, body.GetProperty("reply").GetString());
        var search = openMeteo.Requests.Single(r => r.StartsWith("/v1/search", StringComparison.Ordinal));
        Assert.Contains("count=1", search, StringComparison.Ordinal);
        Assert.Contains(expected.StartsWith("In", StringComparison.Ordinal) || expected.StartsWith("Tomorrow", StringComparison.Ordinal) || expected.StartsWith("Yes", StringComparison.Ordinal) ? "language=en" : "language=fr", search, StringComparison.Ordinal);
        var forecast = openMeteo.Requests.Single(r => r.StartsWith("/v1/forecast", StringComparison.Ordinal));
        Assert.Contains("timezone=auto", forecast, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACityOpenMeteoDoesNotKnowIsAFriendlyAnswer()
    {
        await using var openMeteo = await FakeOpenMeteoServer.StartAsync(Ct);
        await using var api = new ApiFactory(Settings(openMeteo));
        using var client = api.CreateKeyedClient();

        Assert.Equal("I couldn't find a place called \"Atlantis\".", (await ChatAsync(client, "what's the weather in Atlantis")).GetProperty("reply").GetString());
        Assert.Equal("Je ne trouve pas de lieu nommé « Atlantide ».", (await ChatAsync(client, "météo à Atlantide")).GetProperty("reply").GetString());
        Assert.DoesNotContain(openMeteo.Requests, r => r.StartsWith("/v1/forecast", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenMeteoFailingIsASentenceNotAnError()
    {
        await using var openMeteo = await FakeOpenMeteoServer.StartAsync(Ct);
        await using var api = new ApiFactory(Settings(openMeteo));
        using var client = api.CreateKeyedClient();
        openMeteo.FailNext(500);
        openMeteo.FailNext(500);

        var response = await client.PostAsJsonAsync("/api/chat", new { message = "what's the weather in Paris", userId = "alice" }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("The weather service is unavailable right now; try again in a moment.", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("reply").GetString());
        Assert.Equal(2, openMeteo.Requests.Count);
        var record = Assert.Single(api.Logs.Records, r => r.Message.StartsWith("skill weather unavailable", StringComparison.Ordinal));
        Assert.Equal(response.Headers.GetValues("X-Request-ID").Single(), record.Field("request_id"));
    }

    [Fact]
    public async Task OpenMeteoTooSlowCostsTheSkillsTimeoutAndASentence()
    {
        await using var openMeteo = await FakeOpenMeteoServer.StartAsync(Ct);
        var settings = Settings(openMeteo);
        settings["Jarvis:Skills:Timeout"] = "00:00:01";
        await using var api = new ApiFactory(settings);
        using var client = api.CreateKeyedClient();
        openMeteo.DelayNext(TimeSpan.FromSeconds(10));
        openMeteo.DelayNext(TimeSpan.FromSeconds(10));

        var reply = (await ChatAsync(client, "quel temps fait-il à Paris")).GetProperty("reply").GetString();

        Assert.Equal("Le service météo est indisponible pour le moment ; réessaie dans un instant.", reply);
    }

    [Fact]
    public async Task TheTemperatureUnitIsConfigurable()
    {
        await using var openMeteo = await FakeOpenMeteoServer.StartAsync(Ct);
        var settings = Settings(openMeteo);
        settings["Jarvis:Skills:Weather:TemperatureUnit"] = "fahrenheit";
        await using var api = new ApiFactory(settings);
        using var client = api.CreateKeyedClient();

        var reply = (await ChatAsync(client, "what's the weather in Paris")).GetProperty("reply").GetString();

        Assert.StartsWith("In Paris, France it is 65.1 °F", reply, StringComparison.Ordinal);
        Assert.Contains("temperature_unit=fahrenheit", openMeteo.Requests.Single(r => r.StartsWith("/v1/forecast", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelCallsGetWeatherAndItsResultReachesTheModel()
    {
        await using var openMeteo = await FakeOpenMeteoServer.StartAsync(Ct);
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        ollama.Enqueue(new FakeChatReply { Tokens = [], ToolCalls = [new FakeToolCall("get_weather", new JsonObject { ["city"] = "Lyon", ["day"] = "tomorrow" })] });
        ollama.Enqueue(new FakeChatReply { Tokens = ["Sunny", " tomorrow."] });
        var settings = Settings(openMeteo);
        settings["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b";
        await using var api = new ApiFactory(settings);
        using var client = api.CreateKeyedClient();

        var reply = (await ChatAsync(client, "Do I need sunglasses in Lyon tomorrow?")).GetProperty("reply").GetString();

        Assert.StartsWith("Sunny tomorrow.", reply, StringComparison.Ordinal);
        Assert.Equal(2, ollama.ChatRequests.Count);
        Assert.Contains("get_weather", ollama.ChatRequests[0].Json["tools"]!.AsArray().Select(t => (string?)t!["function"]!["name"]));
        var toolMessage = ollama.ChatRequests[1].Json["messages"]!.AsArray()[^1]!;
        Assert.Equal("tool", (string?)toolMessage["role"]);
        Assert.Contains("Tomorrow in Lyon, France: partly cloudy, 16 to 27.3 °C", (string?)toolMessage["content"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelWithoutToolsStillGetsTheRoutersWeatherAnswer()
    {
        await using var openMeteo = await FakeOpenMeteoServer.StartAsync(Ct);
        await using var ollama = await FakeOllamaServer.StartAsync(["gemma:2b"], Ct);
        ollama.ModelsWithoutTools["gemma:2b"] = true;
        var settings = Settings(openMeteo);
        settings["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=gemma:2b";
        await using var api = new ApiFactory(settings);
        using var client = api.CreateKeyedClient();

        var weather = await ChatAsync(client, "what's the weather in Paris");
        var chat = await ChatAsync(client, "tell me a joke");

        Assert.StartsWith("In Paris, France it is 18.4 °C", weather.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.Equal("skill", weather.GetProperty("responder").GetString());
        Assert.StartsWith("The sky is blue.", chat.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.Equal("llm", chat.GetProperty("responder").GetString());

        // The refused request with tools, then only the joke reached the model: the router answered the weather.
        Assert.Equal(2, ollama.ChatRequests.Count);
        Assert.Null(ollama.ChatRequests[1].Json["tools"]);
    }

    [Fact]
    public async Task EachCallIsCountedByOutcomeAndTimed()
    {
        await using var openMeteo = await FakeOpenMeteoServer.StartAsync(Ct);
        await using var api = new ApiFactory(Settings(openMeteo));
        using var client = api.CreateKeyedClient();
        var factory = api.Services.GetRequiredService<IMeterFactory>();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<(string Name, string? Outcome)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, meters) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name.StartsWith("skill_", StringComparison.Ordinal))
                {
                    meters.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? outcome = null;
            string? skill = null;
            foreach (var tag in tags)
            {
                outcome = tag.Key == "outcome" ? tag.Value as string : outcome;
                skill = tag.Key == "skill" ? tag.Value as string : skill;
            }

            Assert.Equal("weather", skill);
            seen.Enqueue((instrument.Name, outcome));
        }

        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        listener.Start();

        await ChatAsync(client, "what's the weather in Paris");
        await ChatAsync(client, "what's the weather in Atlantis");

        Assert.Equal([("skill_invocations_total", "ok"), ("skill_invocations_total", "not_found")], seen.Where(m => m.Name == "skill_invocations_total"));
        Assert.Equal(2, seen.Count(m => m.Name == "skill_duration_seconds"));
    }

    private static Dictionary<string, string> Settings(FakeOpenMeteoServer openMeteo) => new()
    {
        ["Jarvis:Skills:Weather:ForecastUrl"] = openMeteo.ForecastUrl.ToString(),
        ["Jarvis:Skills:Weather:GeocodingUrl"] = openMeteo.GeocodingUrl.ToString(),
        ["Jarvis:ChatRequestsPerMinute"] = "1000",
    };

    private static async Task<JsonElement> ChatAsync(HttpClient client, string message)
    {
        var response = await client.PostAsJsonAsync("/api/chat", new { message, userId = "alice" }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }
}
