
namespace Jarvis.Api.Skills.HomeAssistant;

/// <summary>
/// Finds the entity a natural name means ("kitchen light", "the lamp in the living room", "lumière de la cuisine"):
/// words of the name against the words of each entity's <c>friendly_name</c> and id, tolerant of plurals and one typo;
/// a word naming a kind ("light", "lampe", "volet") prefers entities of that domain.
/// </summary>
internal static class EntityResolver
{
    private static readonly HashSet<string> s_filler =
        ["the", "a", "an", "in", "of", "on", "at", "my", "please", "le", "la", "les", "l", "de", "du", "des", "d", "dans", "mon", "ma", "mes", "en", "au"];

    private static readonly Dictionary<string, string> s_kinds = new()
    {
        ["light"] = "light", ["lights"] = "light", ["lamp"] = "light", ["lumiere"] = "light", ["lumieres"] = "light", ["lampe"] = "light",
        ["switch"] = "switch", ["plug"] = "switch", ["socket"] = "switch", ["prise"] = "switch", ["interrupteur"] = "switch",
        ["blind"] = "cover", ["blinds"] = "cover", ["shutter"] = "cover", ["shutters"] = "cover", ["cover"] = "cover", ["curtains"] = "cover",
        ["volet"] = "cover", ["volets"] = "cover", ["store"] = "cover", ["stores"] = "cover",
        ["thermostat"] = "climate", ["heating"] = "climate", ["heater"] = "climate", ["chauffage"] = "climate",
    };

    /// <summary>The domains the skill reads and controls.</summary>
    public static readonly string[] Domains = ["light", "switch", "cover", "climate"];

    /// <summary>The best matches for <paramref name="name"/>: one entity, several equally good ones, or none.</summary>
    public static IReadOnlyList<EntityState> Resolve(string name, IEnumerable<EntityState> states)
    {
        var words = Words(name);
        var kind = words.Select(w => s_kinds.GetValueOrDefault(w)).FirstOrDefault(k => k is not null);
        var nameWords = words.Where(w => !s_kinds.ContainsKey(w)).ToList();
        var scored = states
            .Where(s => Domains.Contains(s.Domain))
            .Select(s => (State: s, Score: Score(nameWords, kind, s)))
            .Where(c => c.Score > 0 && (nameWords.Count == 0 ? c.State.Domain == kind : c.Score >= 1))
            .ToList();
        if (scored.Count == 0)
        {
            return [];
        }

        var best = scored.Max(c => c.Score);
        return [.. scored.Where(c => c.Score == best).Select(c => c.State)];
    }

    private static double Score(List<string> nameWords, string? kind, EntityState state)
    {
        var entityWords = Words(state.FriendlyName).Concat(state.EntityId.Split('.')[1].Split('_')).ToHashSet();
        var matched = nameWords.Count(word => entityWords.Any(candidate => Similar(word, candidate)));
        if (nameWords.Count > 0 && matched == 0)
        {
            return 0;
        }

        return matched + (kind is not null && state.Domain == kind ? 0.5 : 0) - (entityWords.Count(w => !s_kinds.ContainsKey(w)) - matched) * 0.01;
    }

    private static bool Similar(string a, string b) =>
        a == b
        || (a.Length >= 4 && b.Length >= 4 && (a.StartsWith(b, StringComparison.Ordinal) || b.StartsWith(a, StringComparison.Ordinal)))
        || (a.Length >= 5 && b.Length >= 5 && Math.Abs(a.Length - b.Length) <= 1 && Distance(a, b) <= 1);

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static List<string> Words(string text) =>
        [.. Utterance.Fold(text).Split([' ', '\'', '-', '_', ',', '.', '?', '!'], StringSplitOptions.RemoveEmptyEntries).Where(w => !s_filler.Contains(w))];
}
