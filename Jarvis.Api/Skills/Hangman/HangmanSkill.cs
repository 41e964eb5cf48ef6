using System.ComponentModel;
using System.Text.Json;
using System.Text.RegularExpressions;
using Jarvis.Api.Memory;
using Microsoft.Extensions.AI;

namespace Jarvis.Api.Skills.Hangman;

/// <summary>
/// Hangman ("le pendu"), in English or French: "let's play hangman" / "jouons au pendu" starts a game in the
/// conversation, a letter or a whole word guesses, "give up" / "j'abandonne" reveals the word. The game's state is a
/// turn of the conversation in Jarvis.Memory (role <c>tool</c>, <c>hangman {json}</c>): durable, and the user's own.
/// </summary>
public sealed partial class HangmanSkill(MemoryClient memory, SkillTelemetry telemetry) : ISkill
{
    private const string StatePrefix = "hangman ";

    /// <inheritdoc />
    public string Name => "hangman";

    private AIFunction[]? _tools;

    /// <inheritdoc />
    public IReadOnlyList<AIFunction> Tools => _tools ??= [.. CreateTools()];

    // Made once: the turn a call belongs to is SkillTurn.Current, so the functions are not rebuilt on every turn.
    private IEnumerable<AIFunction> CreateTools()
    {
        yield return AIFunctionFactory.Create(
            async ([Description("start, give up, a single letter, or a whole word")] string move, CancellationToken cancellationToken) =>
                await PlayAsync(SkillTurn.Current, Move.Of(move, SkillTurn.Current.Language), cancellationToken) ?? (SkillTurn.Current.Language == "fr" ? "Aucune partie en cours." : "No game is in progress."),
            new AIFunctionFactoryOptions { Name = "hangman", Description = "Play hangman with the user: start a game, guess a letter or the word, or give up. Show the user the board it returns." });
    }

    /// <inheritdoc />
    public Task<string?> TryAnswerAsync(SkillTurn turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var folded = Utterance.Fold(turn.Message).Trim();
        Move? move = StartEn().IsMatch(folded) ? new Move("start", "en")
            : StartFr().IsMatch(folded) ? new Move("start", "fr")
            : GiveUp().IsMatch(folded) ? new Move("give_up", turn.Language)
            : Letter().Match(folded) is { Success: true } letter ? new Move("letter", turn.Language, letter.Groups["letter"].Value)
            : Word().Match(folded) is { Success: true } word ? new Move("word", turn.Language, word.Groups["word"].Value)
            : null;
        return move is null ? Task.FromResult<string?>(null) : PlayAsync(turn, move, cancellationToken);
    }

    /// <summary>Plays <paramref name="move"/>; null when it is a guess and no game is in progress (the message is not for this skill).</summary>
    private async Task<string?> PlayAsync(SkillTurn turn, Move move, CancellationToken cancellationToken)
    {
        var conversation = turn.ConversationId ?? "default";
        string? text = null;
        await telemetry.RunAsync(Name, async () =>
        {
            try
            {
                var game = move.Kind == "start" ? null : await LoadAsync(turn.UserId, conversation, cancellationToken);
                if (move.Kind != "start" && game is null)
                {
                    return new SkillAnswer("", "no_game");
                }

                var (next, said) = Apply(game, move);
                await memory.AppendTurnAsync(turn.UserId, conversation, "tool", StatePrefix + JsonSerializer.Serialize(next), cancellationToken);
                text = said;
                return new SkillAnswer(said, next.Over ? (next.Won ? "won" : "lost") : "ok");
            }
            catch (Exception e) when (e is MemoryUnavailableException or HttpRequestException)
            {
                // Without memory no game can be in progress: only a request to start one is answered.
                var sentence = move.Language == "fr"
                    ? "Je ne peux pas tenir une partie de pendu sans ma mémoire, indisponible pour le moment."
                    : "I can't keep a game of hangman without my memory, which is unavailable right now.";
                text = move.Kind == "start" ? sentence : null;
                return new SkillAnswer(sentence, "unavailable");
            }
        });
        return text;
    }

    private static (HangmanGame Next, string Said) Apply(HangmanGame? game, Move move)
    {
        if (game is null)
        {
            var words = move.Language == "fr" ? HangmanWords.French : HangmanWords.English;
            var started = HangmanGame.Start(words[Random.Shared.Next(words.Length)], move.Language);
            return (started, started.Language == "fr"
                ? $"Jouons au pendu ! Je pense à un mot de {started.Word.Length} lettres. Propose une lettre (ou le mot entier).\n{started.Board()}"
                : $"Let's play hangman! I'm thinking of a word of {started.Word.Length} letters. Guess a letter (or the whole word).\n{started.Board()}");
        }

        var fr = game.Language == "fr";
        HangmanGame next;
        string said;
        switch (move.Kind)
        {
            case "give_up":
                next = game with { Over = true, Lives = 0 };
                return (next, fr ? $"Le mot était « {game.Word} ». Pour rejouer, dis « jouons au pendu »." : $"The word was \"{game.Word}\". To play again, say \"let's play hangman\".");
            case "letter" when game.Tried.Contains(move.Value![0]):
                return (game, (fr ? $"Tu as déjà essayé « {move.Value} ».\n" : $"You already tried '{move.Value}'.\n") + game.Board());
            case "letter":
                next = game.Guess(move.Value![0]);
                said = game.Word.Contains(move.Value[0])
                    ? fr ? $"Oui, il y a un « {move.Value} »." : $"Yes, there is a '{move.Value}'."
                    : fr ? $"Pas de « {move.Value} »." : $"No '{move.Value}'.";
                break;
            default:
                next = game.GuessWord(move.Value!);
                said = next.Won ? "" : fr ? $"Ce n'est pas « {move.Value} »." : $"It isn't \"{move.Value}\".";
                break;
        }

        if (next.Over)
        {
            said = next.Won
                ? fr ? $"Gagné ! Le mot était bien « {next.Word} »." : $"You won! The word was \"{next.Word}\"."
                : fr ? $"Perdu : le mot était « {next.Word} »." : $"You lost: the word was \"{next.Word}\".";
        }

        return (next, $"{said}\n{next.Board()}".TrimStart('\n'));
    }

    /// <summary>The conversation's game in progress, if any: the last state turn, unless that game is over.</summary>
    private async Task<HangmanGame?> LoadAsync(string userId, string conversationId, CancellationToken cancellationToken)
    {
        var turns = await memory.GetTurnsAsync(userId, conversationId, 20, cancellationToken);
        var state = turns.LastOrDefault(t => t.Role == "tool" && t.Text.StartsWith(StatePrefix, StringComparison.Ordinal));
        return state is null ? null : JsonSerializer.Deserialize<HangmanGame>(state.Text[StatePrefix.Length..]) is { Over: false } game ? game : null;
    }

    private sealed record Move(string Kind, string Language, string? Value = null)
    {
        public static Move Of(string move, string language)
        {
            var folded = Utterance.Fold(move).Trim();
            return folded switch
            {
                "start" or "new" => new Move("start", language),
                "give up" or "give_up" or "abandon" => new Move("give_up", language),
                { Length: 1 } => new Move("letter", language, folded),
                _ => new Move("word", language, folded),
            };
        }
    }

    [GeneratedRegex(@"^(?:let'?s\s+play|play|start|new\s+game\s+of|a\s+game\s+of)\b.*\bhangman\b[\s.!?]*$", Utterance.Options)]
    private static partial Regex StartEn();

    [GeneratedRegex(@"^(?:jouons|on\s+joue|jouer|on\s+fait\s+une\s+partie|une\s+partie|nouvelle\s+partie)\b.*\bpendu\b[\s.!?]*$", Utterance.Options)]
    private static partial Regex StartFr();

    [GeneratedRegex(@"^(?:i\s+give\s+up|give\s+up|i\s+quit|j'abandonne|abandon|je\s+donne\s+ma\s+langue\s+au\s+chat)[\s.!?]*$", Utterance.Options)]
    private static partial Regex GiveUp();

    [GeneratedRegex(@"^(?:(?:the\s+)?letter\s+|(?:la\s+)?lettre\s+)?(?<letter>[a-z])[\s.!?]*$", Utterance.Options)]
    private static partial Regex Letter();

    [GeneratedRegex(@"^(?:is\s+it\s+|c'est\s+|the\s+word\s+is\s+|le\s+mot\s+est\s+)?(?<word>[a-z]{2,})[\s.!?]*$", Utterance.Options)]
    private static partial Regex Word();
}
