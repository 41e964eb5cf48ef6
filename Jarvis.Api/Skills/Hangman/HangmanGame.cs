using System.Text;
using System.Text.Json.Serialization;

namespace Jarvis.Api.Skills.Hangman;

/// <summary>One game of hangman: the word, the letters tried and the lives left. Immutable: each guess makes the next state.</summary>
public sealed record HangmanGame(
    [property: JsonPropertyName("word")] string Word,
    [property: JsonPropertyName("language")] string Language,
    [property: JsonPropertyName("tried")] string Tried,
    [property: JsonPropertyName("lives")] int Lives,
    [property: JsonPropertyName("over")] bool Over)
{
    /// <summary>Lives at the start: one per part of the drawing.</summary>
    public const int StartingLives = 6;

    private static readonly string[] s_drawing =
    [
        "  +---+\n  |   |\n      |\n      |\n      |\n=======",
        "  +---+\n  |   |\n  O   |\n      |\n      |\n=======",
        "  +---+\n  |   |\n  O   |\n  |   |\n      |\n=======",
        "  +---+\n  |   |\n  O   |\n /|   |\n      |\n=======",
        "  +---+\n  |   |\n  O   |\n /|\\  |\n      |\n=======",
        "  +---+\n  |   |\n  O   |\n /|\\  |\n /    |\n=======",
        "  +---+\n  |   |\n  O   |\n /|\\  |\n / \\  |\n=======",
    ];

    /// <summary>A new game on <paramref name="word"/>.</summary>
    public static HangmanGame Start(string word, string language) => new(word, language, "", StartingLives, Over: false);

    /// <summary>True once every letter of the word is found.</summary>
    public bool Won => Word.All(Tried.Contains);

    /// <summary>The word with the letters not found yet as <c>_</c>, such as <c>_ a _ _ _</c>.</summary>
    public string Masked => string.Join(' ', Word.Select(c => Tried.Contains(c) ? c : '_'));

    /// <summary>The game after guessing <paramref name="letter"/> (a letter already tried costs nothing).</summary>
    public HangmanGame Guess(char letter)
    {
        if (Over || Tried.Contains(letter))
        {
            return this;
        }

        var next = this with { Tried = Tried + letter, Lives = Word.Contains(letter) ? Lives : Lives - 1 };
        return next with { Over = next.Won || next.Lives == 0 };
    }

    /// <summary>The game after guessing the whole word: found, or a life lost.</summary>
    public HangmanGame GuessWord(string word) =>
        Over ? this
        : word == Word ? this with { Tried = new string([.. Tried.Union(Word)]), Over = true }
        : this with { Lives = Lives - 1, Over = Lives - 1 == 0 };

    /// <summary>What the player sees: the drawing, the masked word, the letters tried and the lives left.</summary>
    public string Board()
    {
        var fr = Language == "fr";
        var text = new StringBuilder();
        text.Append("```\n").Append(s_drawing[StartingLives - Math.Max(Lives, 0)]).Append("\n```\n");
        text.Append(fr ? "Mot : " : "Word: ").Append(Masked).Append('\n');
        text.Append(fr ? "Lettres essayées : " : "Letters tried: ").Append(Tried.Length == 0 ? "-" : string.Join(", ", Tried.Order())).Append('\n');
        text.Append(fr ? "Vies : " : "Lives: ").Append(Lives);
        return text.ToString();
    }
}
