namespace Jarvis.Api.Skills.Hangman;

/// <summary>The words a game draws from, by language: common words of 5 to 9 letters, plain letters only.</summary>
internal static class HangmanWords
{
    public static readonly string[] English =
    [
        "apple", "bridge", "candle", "dragon", "engine", "forest", "garden", "harbor", "island", "jacket", "kettle", "ladder",
        "market", "needle", "orange", "pencil", "planet", "rabbit", "silver", "ticket", "window", "yellow", "blanket",
        "captain", "diamond", "morning", "penguin", "rainbow", "teacher", "volcano", "weather", "library", "machine",
    ];

    public static readonly string[] French =
    [
        "abeille", "bateau", "cerise", "dragon", "etoile", "fenetre", "girafe", "hibou", "jardin", "lapin", "montagne",
        "nuage", "orange", "papillon", "pomme", "renard", "soleil", "tortue", "valise", "voiture", "cheval", "chemise",
        "fromage", "guitare", "maison", "musique", "parapluie", "tableau", "tomate", "village",
    ];
}
