using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jarvis.Api.Skills.Hangman;
using Jarvis.Tests.Api.Chat;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Api.Skills;

/// <summary>
/// Hangman played through the Api with the offline router and a real Jarvis.Memory (a child process) keeping the games:
/// to a win over REST and over the WebSocket, to a loss in French, given up, across an Api restart, and never in
/// another user's game.
/// </summary>
public sealed class HangmanSkillTests(MemoryProcess memory) : IClassFixture<MemoryProcess>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AGameIsWonOverRestLetterByLetter()
    {
        await using var api = Api();
        using var client = api.CreateKeyedClient();

        var start = await TurnAsync(client, "alice", "game-win", "Let's play hangman!");
        var game = await GameAsync("alice", "game-win");

        Assert.StartsWith($"Let's play hangman! I'm thinking of a word of {game.Word.Length} letters.", start, StringComparison.Ordinal);
        Assert.Contains("Lives: 6", start, StringComparison.Ordinal);
        Assert.Contains(string.Join(' ', game.Word.Select(_ => '_')), start, StringComparison.Ordinal);
        var letters = game.Word.Distinct().ToList();
        string reply = "";
        foreach (var letter in letters)
        {
            reply = await TurnAsync(client, "alice", "game-win", $"the letter {letter}");
        }

        Assert.StartsWith($"You won! The word was \"{game.Word}\".", reply, StringComparison.Ordinal);
        Assert.True((await GameAsync("alice", "game-win")).Over);
        Assert.Equal(HangmanGame.StartingLives, (await GameAsync("alice", "game-win")).Lives);
    }

    [Fact]
    public async Task AGameIsLostInFrenchAndTheWordRevealed()
    {
        await using var api = Api();
        using var client = api.CreateKeyedClient();
        Assert.StartsWith("Jouons au pendu !", await TurnAsync(client, "bob", "partie", "jouons au pendu"), StringComparison.Ordinal);
        var game = await GameAsync("bob", "partie");

        var wrong = "abcdefghijklmnopqrstuvwxyz".Where(c => !game.Word.Contains(c)).Take(HangmanGame.StartingLives).ToList();
        var replies = new List<string>();
        foreach (var letter in wrong)
        {
            replies.Add(await TurnAsync(client, "bob", "partie", $"la lettre {letter}"));
        }

        Assert.StartsWith($"Pas de « {wrong[0]} ».", replies[0], StringComparison.Ordinal);
        Assert.Contains("Vies : 5", replies[0], StringComparison.Ordinal);
        Assert.StartsWith($"Perdu : le mot était « {game.Word} ».", replies[^1], StringComparison.Ordinal);
        Assert.Contains(" / \\  |", replies[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivingUpRevealsTheWordAndEndsTheGame()
    {
        await using var api = Api();
        using var client = api.CreateKeyedClient();
        await TurnAsync(client, "carol", "g", "play hangman");
        var game = await GameAsync("carol", "g");

        Assert.StartsWith($"The word was \"{game.Word}\".", await TurnAsync(client, "carol", "g", "I give up"), StringComparison.Ordinal);
        Assert.StartsWith("Without a language model", await TurnAsync(client, "carol", "g", "e"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGameContinuesAfterTheApiRestartsAndNobodyElseCanGuessInIt()
    {
        HangmanGame game;
        await using (var first = Api())
        {
            using var client = first.CreateKeyedClient();
            await TurnAsync(client, "dave", "long-game", "let's play hangman");
            game = await GameAsync("dave", "long-game");
            await TurnAsync(client, "dave", "long-game", game.Word[0].ToString());
        }

        await using var second = Api();
        using var again = second.CreateKeyedClient();
        var stranger = await TurnAsync(again, "mallory", "long-game", game.Word[1].ToString());
        var reply = await TurnAsync(again, "dave", "long-game", $"letter {game.Word[^1]}");

        Assert.DoesNotContain("Letters tried", stranger, StringComparison.Ordinal);
        Assert.Contains($"Letters tried: {string.Join(", ", new[] { game.Word[0], game.Word[^1] }.Distinct().Order())}", reply, StringComparison.Ordinal);
        Assert.Equal(game.Word, (await GameAsync("dave", "long-game")).Word);
    }

    [Fact]
    public async Task GamesAreWonAndLostOverTheWebSocket()
    {
        await using var api = Api();
        using var socket = await ChatSocketTests.ConnectAsync(api);
        async Task<string?> SayAsync(string text, string conversation)
        {
            await ChatSocketTests.SendAsync(socket, new { type = "message", text, user_id = "erin", conversation_id = conversation });
            return (await ChatSocketTests.UntilAsync(socket, "done"))[^1].GetProperty("reply").GetString();
        }

        Assert.StartsWith("Let's play hangman!", await SayAsync("let's play hangman", "ws-win"), StringComparison.Ordinal);
        var won = await GameAsync("erin", "ws-win");
        string? reply = null;
        foreach (var letter in won.Word.Distinct())
        {
            reply = await SayAsync(letter.ToString(), "ws-win");
        }

        Assert.StartsWith($"You won! The word was \"{won.Word}\".", reply, StringComparison.Ordinal);

        Assert.StartsWith("Jouons au pendu !", await SayAsync("jouons au pendu", "ws-loss"), StringComparison.Ordinal);
        var lost = await GameAsync("erin", "ws-loss");
        foreach (var letter in "abcdefghijklmnopqrstuvwxyz".Where(c => !lost.Word.Contains(c)).Take(HangmanGame.StartingLives))
        {
            reply = await SayAsync(letter.ToString(), "ws-loss");
        }

        Assert.StartsWith($"Perdu : le mot était « {lost.Word} ».", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutMemoryAGameCannotStartAndGuessesAreLeftToOthers()
    {
        await using var api = new ApiFactory();
        using var client = api.CreateKeyedClient();

        Assert.Equal("I can't keep a game of hangman without my memory, which is unavailable right now.", await TurnAsync(client, "frank", "g", "let's play hangman"));
        Assert.StartsWith("Without a language model", await TurnAsync(client, "frank", "g", "e"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelStartsAGameWithTheToolAndTheBoardReachesIt()
    {
        await using var ollama = await Infrastructure.Ollama.FakeOllamaServer.StartAsync(["llama3.2:1b"], Ct);
        ollama.Enqueue(new Infrastructure.Ollama.FakeChatReply { Tokens = [], ToolCalls = [new("hangman", new System.Text.Json.Nodes.JsonObject { ["move"] = "start" })] });
        ollama.Enqueue(new Infrastructure.Ollama.FakeChatReply { Tokens = ["Game", " on!"] });
        await using var api = new ApiFactory(new Dictionary<string, string>
        {
            ["Jarvis:MemoryUrl"] = memory.BaseAddress.ToString(),
            ["ConnectionStrings:ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b",
        });
        using var client = api.CreateKeyedClient();

        Assert.StartsWith("Game on!", await TurnAsync(client, "grace", "llm-game", "I'm bored, any game?"), StringComparison.Ordinal);
        var game = await GameAsync("grace", "llm-game");
        var toolMessage = (string?)ollama.ChatRequests[1].Json["messages"]!.AsArray()[^1]!["content"];
        Assert.Contains($"I'm thinking of a word of {game.Word.Length} letters", toolMessage, StringComparison.Ordinal);
    }

    private ApiFactory Api() => new(new Dictionary<string, string>
    {
        ["Jarvis:MemoryUrl"] = memory.BaseAddress.ToString(),
        ["Jarvis:ChatRequestsPerMinute"] = "1000",
        ["Jarvis:WebSocket:MessagesPerWindow"] = "1000",
    });

    private static async Task<string> TurnAsync(HttpClient client, string userId, string conversationId, string message)
    {
        var response = await client.PostAsJsonAsync("/api/chat", new { message, userId, conversationId }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("reply").GetString()!;
    }

    /// <summary>The game as Jarvis.Memory keeps it: the conversation's last hangman state turn.</summary>
    private async Task<HangmanGame> GameAsync(string userId, string conversationId)
    {
        using var client = memory.CreateClient();
        var turns = await client.GetFromJsonAsync<JsonElement>($"/api/conversations/{conversationId}/turns?userId={userId}&last=50", Ct);
        var state = turns.GetProperty("turns").EnumerateArray().Last(t => t.GetProperty("role").GetString() == "tool").GetProperty("text").GetString()!;
        return JsonSerializer.Deserialize<HangmanGame>(state["hangman ".Length..])!;
    }
}
