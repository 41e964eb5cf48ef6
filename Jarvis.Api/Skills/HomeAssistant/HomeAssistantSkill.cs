using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Jarvis.Api.Skills.HomeAssistant;

/// <summary>
/// Home automation through Home Assistant: reads states and calls services for lights, switches, covers and thermostats
/// named naturally, asks back when a name fits several entities, and confirms from Home Assistant's answer what
/// changed. A question never acts: only an explicit command calls a service, and the server refuses a model's control
/// call in a turn whose message is a question.
/// </summary>
public sealed partial class HomeAssistantSkill(HomeAssistantClient homeAssistant, SkillTelemetry telemetry) : ISkill
{
    private const string End = @"[\s?.!]*$";

    /// <inheritdoc />
    public string Name => "home";

    private AIFunction[]? _tools;

    /// <inheritdoc />
    public IReadOnlyList<AIFunction> Tools => _tools ??= [.. CreateTools()];

    // Made once: the turn a call belongs to is SkillTurn.Current, so the functions are not rebuilt on every turn.
    private IEnumerable<AIFunction> CreateTools()
    {
        yield return AIFunctionFactory.Create(
            async ([Description("The device, as the user named it.")] string name, CancellationToken cancellationToken) =>
                (await RunAsync(name, null, SkillTurn.Current.Language, cancellationToken)).Text,
            new AIFunctionFactoryOptions { Name = "home_state", Description = "Read the state of a light, switch, cover or thermostat in the home." });
        yield return AIFunctionFactory.Create(
            async ([Description("The device, as the user named it.")] string name,
                   [Description("turn_on, turn_off, open, close or set")] string action,
                   [Description("For set: a brightness or position in percent, or a temperature.")] double? value = null,
                   CancellationToken cancellationToken = default) =>
                IsQuestion(SkillTurn.Current.Message)
                    ? (SkillTurn.Current.Language == "fr" ? "Refusé : la demande est une question ; je n'agis que sur un ordre explicite." : "Refused: the user asked a question; act only on an explicit command.")
                    : (await RunAsync(name, new Command(action, value), SkillTurn.Current.Language, cancellationToken)).Text,
            new AIFunctionFactoryOptions
            {
                Name = "home_control",
                Description = "ACTS on the home: turn a light, switch or thermostat on or off, open or close a cover, or set a brightness, position or temperature. Only when the user explicitly asks for it.",
            });
    }

    /// <inheritdoc />
    public async Task<string?> TryAnswerAsync(SkillTurn turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var folded = Utterance.Fold(turn.Message);
        foreach (var (pattern, language, action) in s_phrasings)
        {
            if (pattern.Match(folded) is not { Success: true } match)
            {
                continue;
            }

            var name = turn.Message.Substring(match.Groups["name"].Index, match.Groups["name"].Length);
            Command? command = action switch
            {
                null => null,
                "onoff" => new Command(match.Groups["verb"].Value is "on" or "allume" ? "turn_on" : "turn_off", null),
                "set" => new Command("set", double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)),
                _ => new Command(match.Groups["verb"].Value is "open" or "ouvre" ? "open" : "close", null),
            };
            return (await RunAsync(name, command, language, cancellationToken)).Text;
        }

        return null;
    }

    private Task<SkillAnswer> RunAsync(string name, Command? command, string language, CancellationToken cancellationToken) =>
        telemetry.RunAsync(Name, async () =>
        {
            var fr = language == "fr";
            if (!homeAssistant.IsConfigured)
            {
                return new SkillAnswer(
                    fr ? "La domotique n'est pas configurée : définis ConnectionStrings__homeassistant=Endpoint=http://homeassistant.local:8123;Key=<jeton longue durée>."
                       : "Home automation is not configured: set ConnectionStrings__homeassistant=Endpoint=http://homeassistant.local:8123;Key=<long-lived access token>.",
                    "not_configured");
            }

            try
            {
                var matches = EntityResolver.Resolve(name, await homeAssistant.GetStatesAsync(cancellationToken));
                switch (matches)
                {
                    case []:
                        return new SkillAnswer(fr ? $"Je ne trouve rien qui s'appelle « {name.Trim()} » dans la maison." : $"I can't find anything called \"{name.Trim()}\" in the home.", "not_found");
                    case [_, _, ..]:
                        var names = string.Join(fr ? " ou " : " or ", matches.Select(m => m.FriendlyName));
                        return new SkillAnswer(fr ? $"Lequel : {names} ?" : $"Which one: {names}?", "ambiguous");
                }

                var entity = matches[0];
                if (command is null)
                {
                    return new SkillAnswer(Describe(entity, fr), "ok");
                }

                if (Service(entity, command) is not var (service, data))
                {
                    return new SkillAnswer(fr ? $"Je ne sais pas faire cela avec « {entity.FriendlyName} »." : $"I can't do that with the {entity.FriendlyName}.", "unsupported");
                }

                var changed = await homeAssistant.CallServiceAsync(entity.Domain, service, data, cancellationToken);
                return changed.FirstOrDefault(s => s.EntityId == entity.EntityId) is { } now
                    ? new SkillAnswer((fr ? "C'est fait : " : "Done: ") + Describe(now, fr), "ok")
                    : new SkillAnswer(fr ? $"Home Assistant a accepté la commande mais ne signale aucun changement de « {entity.FriendlyName} »." : $"Home Assistant accepted the command but reported no change of the {entity.FriendlyName}.", "unchanged");
            }
            catch (HomeAssistantException e) when (e.Unauthorized)
            {
                return new SkillAnswer(
                    fr ? "Home Assistant a refusé le jeton d'accès : crée un nouveau jeton longue durée et mets à jour ConnectionStrings__homeassistant."
                       : "Home Assistant refused the access token: create a new long-lived token and update ConnectionStrings__homeassistant.",
                    "unauthorized");
            }
            catch (HomeAssistantException)
            {
                return new SkillAnswer(fr ? "Home Assistant ne répond pas pour le moment." : "Home Assistant is not reachable right now.", "unavailable");
            }
        });

    /// <summary>The service and data for <paramref name="command"/> on <paramref name="entity"/>, or null when its domain cannot do it.</summary>
    private static (string Service, Dictionary<string, object> Data)? Service(EntityState entity, Command command)
    {
        var data = new Dictionary<string, object> { ["entity_id"] = entity.EntityId };
        switch (entity.Domain, command.Action, command.Value)
        {
            case ("light", "set", { } brightness):
                data["brightness_pct"] = Math.Clamp((int)Math.Round(brightness), 0, 100);
                return ("turn_on", data);
            case ("cover", "set", { } position):
                data["position"] = Math.Clamp((int)Math.Round(position), 0, 100);
                return ("set_cover_position", data);
            case ("climate", "set", { } temperature):
                data["temperature"] = temperature;
                return ("set_temperature", data);
            case ("cover", "open" or "turn_on", _):
                return ("open_cover", data);
            case ("cover", "close" or "turn_off", _):
                return ("close_cover", data);
            case ("light" or "switch" or "climate", "turn_on" or "turn_off", _):
                return (command.Action, data);
            default:
                return null;
        }
    }

    // French answers avoid the device's grammatical gender: "en marche", "à l'arrêt", "en position ouverte".
    private static string Describe(EntityState entity, bool fr)
    {
        var name = entity.FriendlyName;
        var on = entity.State == "on";
        switch (entity.Domain)
        {
            case "light" when on && entity.Number("brightness") is { } brightness:
                var percent = (int)Math.Round(brightness / 255 * 100);
                return fr ? $"« {name} » est en marche, à {percent} %." : $"The {name} is on, at {percent} %.";
            case "light" or "switch":
                return fr ? $"« {name} » est {(on ? "en marche" : "à l'arrêt")}." : $"The {name} is {(on ? "on" : "off")}.";
            case "cover":
                var position = entity.Number("current_position") is { } p ? fr ? $" ({p} %)" : $" ({p} % open)" : "";
                return fr ? $"« {name} » est en position {(entity.State == "open" ? "ouverte" : "fermée")}{position}." : $"The {name} is {entity.State}{position}.";
            case "climate":
                var target = entity.Number("temperature") is { } t ? t.ToString("0.#", CultureInfo.InvariantCulture) : "?";
                var current = entity.Number("current_temperature") is { } c ? c.ToString("0.#", CultureInfo.InvariantCulture) : "?";
                return fr ? $"La consigne de « {name} » est de {target} °C (il fait {current} °C)." : $"The {name} is set to {target} °C (it is {current} °C).";
            default:
                return fr ? $"« {name} » : {entity.State}." : $"The {name} is {entity.State}.";
        }
    }

    private static bool IsQuestion(string message)
    {
        var folded = Utterance.Fold(message).Trim();
        return folded.EndsWith('?') || QuestionStart().IsMatch(folded);
    }

    private sealed record Command(string Action, double? Value);

    // Questions first: "is the kitchen light on?" only reads.
    private static readonly (Regex Pattern, string Language, string? Action)[] s_phrasings =
    [
        (StateEn(), "en", null),
        (StateOfEn(), "en", null),
        (StateFr(), "fr", null),
        (StateInvertedFr(), "fr", null),
        (OnOffEn(), "en", "onoff"),
        (OnOffAfterEn(), "en", "onoff"),
        (SetEn(), "en", "set"),
        (OpenCloseEn(), "en", "openclose"),
        (OnOffFr(), "fr", "onoff"),
        (SetFr(), "fr", "set"),
        (OpenCloseFr(), "fr", "openclose"),
    ];

    [GeneratedRegex(Utterance.Lead + @"(?:is|are)\s+(?<name>.+?)\s+(?:on|off|open|closed|still\s+on)" + End, Utterance.Options)]
    private static partial Regex StateEn();

    [GeneratedRegex(Utterance.Lead + @"what(?:'s|\s+is)\s+the\s+(?:state|status|temperature)\s+of\s+(?<name>.+?)" + End, Utterance.Options)]
    private static partial Regex StateOfEn();

    [GeneratedRegex(Utterance.Lead + @"est-ce\s+que\s+(?<name>.+?)\s+est\s+(?:allumee?|eteinte?|ouverte?|fermee?)" + End, Utterance.Options)]
    private static partial Regex StateFr();

    [GeneratedRegex(Utterance.Lead + @"(?<name>.+?)\s+est-(?:elle|il)\s+(?:allumee?|eteinte?|ouverte?|fermee?)" + End, Utterance.Options)]
    private static partial Regex StateInvertedFr();

    [GeneratedRegex(Utterance.Lead + @"(?:turn|switch)\s+(?<verb>on|off)\s+(?<name>.+?)" + End, Utterance.Options)]
    private static partial Regex OnOffEn();

    [GeneratedRegex(Utterance.Lead + @"(?:turn|switch)\s+(?<name>.+?)\s+(?<verb>on|off)" + End, Utterance.Options)]
    private static partial Regex OnOffAfterEn();

    [GeneratedRegex(Utterance.Lead + @"set\s+(?<name>.+?)\s+to\s+(?<value>\d+(?:\.\d+)?)\s*(?:%|percent|degrees|°c?)?" + End, Utterance.Options)]
    private static partial Regex SetEn();

    [GeneratedRegex(Utterance.Lead + @"(?<verb>open|close)\s+(?<name>.+?)" + End, Utterance.Options)]
    private static partial Regex OpenCloseEn();

    [GeneratedRegex(Utterance.Lead + @"(?<verb>allume|eteins)\s+(?<name>.+?)" + End, Utterance.Options)]
    private static partial Regex OnOffFr();

    [GeneratedRegex(Utterance.Lead + @"(?:mets|regle)\s+(?<name>.+?)\s+a\s+(?<value>\d+(?:[.,]\d+)?)\s*(?:%|pour\s*cent|degres|°c?)?" + End, Utterance.Options)]
    private static partial Regex SetFr();

    [GeneratedRegex(Utterance.Lead + @"(?<verb>ouvre|ferme)\s+(?<name>.+?)" + End, Utterance.Options)]
    private static partial Regex OpenCloseFr();

    [GeneratedRegex(@"^(?:is|are|what|which|how|do|does|est-ce|est-il|est-elle|quel|quelle|comment)\b", Utterance.Options)]
    private static partial Regex QuestionStart();
}
