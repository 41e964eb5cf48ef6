using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Tests.Api.Chat;
using Jarvis.Tests.Infrastructure.HomeAssistant;
using Jarvis.Tests.Infrastructure.Ollama;

namespace Jarvis.Tests.Api.Skills;

/// <summary>
/// The home automation skill in the Api against a spec-following fake of Home Assistant: questions that only read,
/// commands that act and confirm, ambiguous names, English and French, a refused token, Home Assistant unreachable or
/// not configured, and a model whose control call in a question turn the server refuses.
/// </summary>
public sealed class HomeAssistantSkillTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Is the living room lamp on?", "The Living room lamp is on, at 100 %.")]
    [InlineData("is the kitchen ceiling light on", "The Kitchen ceiling is on, at 60 %.")]
    [InlineData("what's the temperature of the hallway thermostat?", "The Hallway thermostat is set to 20 °C (it is 19.5 °C).")]
    [InlineData("Est-ce que la lumière de la cuisine est allumée ?", "« Lumière cuisine » est à l'arrêt.")]
    [InlineData("le volet du salon est-il ouvert ?", "« Volet salon » est en position ouverte (100 %).")]
    public async Task AQuestionOnlyReads(string message, string expected)
    {
        await using var home = await FakeHomeAssistantServer.StartAsync(Ct);
        await using var api = new ApiFactory(Settings(home));
        using var client = api.CreateKeyedClient();

        Assert.Equal(expected, await ReplyAsync(client, message));
        Assert.Empty(home.ServiceCalls);
    }

    [Theory]
    [InlineData("turn off the kitchen ceiling light", "/api/services/light/turn_off", """{"entity_id":"light.kitchen_ceiling"}""", "Done: The Kitchen ceiling is off.")]
    [InlineData("Set the kitchen counter to 40 %", "/api/services/light/turn_on", """{"entity_id":"light.kitchen_counter","brightness_pct":40}""", "Done: The Kitchen counter is on, at 40 %.")]
    [InlineData("open the bedroom blinds", "/api/services/cover/open_cover", """{"entity_id":"cover.bedroom_blinds"}""", "Done: The Bedroom blinds is open (100 % open).")]
    [InlineData("switch the coffee machine on", "/api/services/switch/turn_on", """{"entity_id":"switch.coffee_machine"}""", "Done: The Coffee machine is on.")]
    [InlineData("allume la lumière de la cuisine", "/api/services/light/turn_on", """{"entity_id":"light.cuisine"}""", "C'est fait : « Lumière cuisine » est en marche, à 100 %.")]
    [InlineData("ferme le volet du salon", "/api/services/cover/close_cover", """{"entity_id":"cover.volet_salon"}""", "C'est fait : « Volet salon » est en position fermée (0 %).")]
    [InlineData("mets le thermostat à 21", "/api/services/climate/set_temperature", """{"entity_id":"climate.hallway","temperature":21}""", "C'est fait : La consigne de « Hallway thermostat » est de 21 °C (il fait 19.5 °C).")]
    public async Task ACommandCallsTheServiceAndConfirmsWhatChanged(string message, string path, string body, string expected)
    {
        await using var home = await FakeHomeAssistantServer.StartAsync(Ct);
        await using var api = new ApiFactory(Settings(home));
        using var client = api.CreateKeyedClient();

        Assert.Equal(expected, await ReplyAsync(client, message));
        var call = Assert.Single(home.ServiceCalls);
        Assert.Equal(path, call.Path);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(body), JsonNode.Parse(call.Body)), call.Body);
    }

    [Fact]
    public async Task TwoEntitiesThatFitEquallyAreAskedAboutAndNothingActs()
    {
        await using var home = await FakeHomeAssistantServer.StartAsync(Ct);
        await using var api = new ApiFactory(Settings(home));
        using var client = api.CreateKeyedClient();

        Assert.Equal("Which one: Kitchen ceiling or Kitchen counter?", await ReplyAsync(client, "turn on the kitchen light"));
        Assert.Equal("I can't find anything called \"the garage door\" in the home.", await ReplyAsync(client, "open the garage door"));
        Assert.Empty(home.ServiceCalls);
    }

    [Fact]
    public async Task ARefusedTokenIsASentenceWithoutTheToken()
    {
        await using var home = await FakeHomeAssistantServer.StartAsync(Ct);
        var settings = Settings(home);
        settings["ConnectionStrings:homeassistant"] = home.ConnectionString("wrong-token-that-must-not-leak");
        await using var api = new ApiFactory(settings);
        using var client = api.CreateKeyedClient();

        var reply = await ReplyAsync(client, "turn on the coffee machine");

        Assert.StartsWith("Home Assistant refused the access token", reply, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Logs.Records, r => r.AllText.Contains("wrong-token-that-must-not-leak", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HomeAssistantFailingOrTooSlowIsASentenceAndACommandIsNeverSentTwice()
    {
        await using var home = await FakeHomeAssistantServer.StartAsync(Ct);
        var settings = Settings(home);
        settings["Jarvis:Skills:Timeout"] = "00:00:01";
        await using var api = new ApiFactory(settings);
        using var client = api.CreateKeyedClient();

        home.FailNext(503);
        home.FailNext(503);
        Assert.Equal("Home Assistant is not reachable right now.", await ReplyAsync(client, "is the coffee machine on?"));
        home.FailNext(200, TimeSpan.FromSeconds(10));
        home.FailNext(200, TimeSpan.FromSeconds(10));
        Assert.Equal("Home Assistant is not reachable right now.", await ReplyAsync(client, "is the coffee machine on?"));

        // The states are read (and kept a few seconds), then the service call fails: a POST is never retried.
        Assert.Equal("The Coffee machine is off.", await ReplyAsync(client, "is the coffee machine on?"));
        home.FailNext(500);
        Assert.Equal("Home Assistant is not reachable right now.", await ReplyAsync(client, "turn on the coffee machine"));
        Assert.Single(home.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal));
        Assert.Equal("off", (string?)home.State("switch.coffee_machine")["state"]);
    }

    [Fact]
    public async Task UnreachableOrUnconfiguredIsASentence()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using (var down = new ApiFactory(new Dictionary<string, string> { ["ConnectionStrings:homeassistant"] = $"Endpoint=http://127.0.0.1:{port};Key=abc" }))
        {
            using var client = down.CreateKeyedClient();
            Assert.Equal("Home Assistant is not reachable right now.", await ReplyAsync(client, "turn on the coffee machine"));
        }

        await using var unconfigured = new ApiFactory();
        using var unconfiguredClient = unconfigured.CreateKeyedClient();
        Assert.StartsWith("Home automation is not configured: set ConnectionStrings__homeassistant=", await ReplyAsync(unconfiguredClient, "turn on the coffee machine"), StringComparison.Ordinal);
        Assert.StartsWith("La domotique n'est pas configurée", await ReplyAsync(unconfiguredClient, "allume la lumière de la cuisine"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelsControlCallInAQuestionTurnIsRefusedAndInACommandTurnActs()
    {
        await using var home = await FakeHomeAssistantServer.StartAsync(Ct);
        await using var ollama = await FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        var control = new FakeToolCall("home_control", new JsonObject { ["name"] = "coffee machine", ["action"] = "turn_on" });
        ollama.Enqueue(new FakeChatReply { Tokens = [], ToolCalls = [control] });
        ollama.Enqueue(new FakeChatReply { Tokens = ["It", " is", " off."] });
        ollama.Enqueue(new FakeChatReply { Tokens = [], ToolCalls = [control] });
        ollama.Enqueue(new FakeChatReply { Tokens = ["Coffee", " is", " on", " its", " way."] });
        var settings = Settings(home);
        settings["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b";
        await using var api = new ApiFactory(settings);
        using var client = api.CreateKeyedClient();

        await ReplyAsync(client, "Is the coffee machine on?");
        Assert.Empty(home.ServiceCalls);
        Assert.Contains("Refused: the user asked a question", (string?)ollama.ChatRequests[1].Json["messages"]!.AsArray()[^1]!["content"], StringComparison.Ordinal);

        Assert.StartsWith("Coffee is on its way.", await ReplyAsync(client, "Make me happy: start the coffee machine"), StringComparison.Ordinal);
        Assert.Equal("/api/services/switch/turn_on", Assert.Single(home.ServiceCalls).Path);
        Assert.Contains("Done: The Coffee machine is on.", (string?)ollama.ChatRequests[3].Json["messages"]!.AsArray()[^1]!["content"], StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Settings(FakeHomeAssistantServer home) => new()
    {
        ["ConnectionStrings:homeassistant"] = home.ConnectionString(),
        ["Jarvis:ChatRequestsPerMinute"] = "1000",
    };

    private static async Task<string?> ReplyAsync(HttpClient client, string message)
    {
        var response = await client.PostAsJsonAsync("/api/chat", new { message, userId = "alice" }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("reply").GetString();
    }
}
