using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Jarvis.Api.Skills.Weather;

/// <summary>
/// The weather: a city's current conditions and today's or tomorrow's forecast from Open-Meteo, in the user's language.
/// A city Open-Meteo does not know is a friendly answer; Open-Meteo failing or slow is a sentence saying so, never an
/// error of the Api.
/// </summary>
public sealed partial class WeatherSkill(OpenMeteoClient openMeteo, SkillTelemetry telemetry) : ISkill
{
    private const string EnWhen = @"(?:\s+(?<when>today|tomorrow))?[\s?.!]*$";
    private const string FrWhen = @"(?:\s+(?<when>aujourd'hui|demain))?[\s?.!]*$";

    /// <inheritdoc />
    public string Name => "weather";

    private AIFunction[]? _tools;

    /// <inheritdoc />
    public IReadOnlyList<AIFunction> Tools => _tools ??= [.. CreateTools()];

    // Made once: the turn a call belongs to is SkillTurn.Current, so the functions are not rebuilt on every turn.
    private IEnumerable<AIFunction> CreateTools()
    {
        yield return AIFunctionFactory.Create(
            async ([Description("The city, as the user named it.")] string city,
                   [Description("today or tomorrow")] string? day,
                   CancellationToken cancellationToken) =>
                (await AnswerAsync(city, IsTomorrow(day), rain: false, SkillTurn.Current.Language, cancellationToken)).Text,
            new AIFunctionFactoryOptions
            {
                Name = "get_weather",
                Description = "The current weather and today's or tomorrow's forecast for a city.",
            });
    }

    /// <inheritdoc />
    public async Task<string?> TryAnswerAsync(SkillTurn turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var folded = Utterance.Fold(turn.Message);
        foreach (var (pattern, language, rain) in s_phrasings)
        {
            if (pattern.Match(folded) is { Success: true } match)
            {
                var city = turn.Message.Substring(match.Groups["city"].Index, match.Groups["city"].Length).Trim();
                var tomorrow = match.Groups["when"].Value is "tomorrow" or "demain";
                return (await AnswerAsync(city, tomorrow, rain, language, cancellationToken)).Text;
            }
        }

        return null;
    }

    private Task<SkillAnswer> AnswerAsync(string city, bool tomorrow, bool rain, string language, CancellationToken cancellationToken) =>
        telemetry.RunAsync(Name, async () =>
        {
            var fr = language == "fr";
            try
            {
                if (await openMeteo.FindAsync(city, language, cancellationToken) is not { } place)
                {
                    return new SkillAnswer(fr ? $"Je ne trouve pas de lieu nommé « {city} »." : $"I couldn't find a place called \"{city}\".", "not_found");
                }

                var forecast = await openMeteo.ForecastAsync(place, cancellationToken);
                return new SkillAnswer(Describe(place, forecast, tomorrow, rain, fr), "ok");
            }
            catch (WeatherUnavailableException)
            {
                return new SkillAnswer(
                    fr ? "Le service météo est indisponible pour le moment ; réessaie dans un instant." : "The weather service is unavailable right now; try again in a moment.",
                    "unavailable");
            }
        });

    private static string Describe(Place place, Forecast forecast, bool tomorrow, bool rain, bool fr)
    {
        var unit = forecast.CurrentUnits?.GetValueOrDefault("temperature_2m") ?? "°C";
        var where = place.Country is { Length: > 0 } country ? $"{place.Name}, {country}" : place.Name;
        var day = tomorrow ? 1 : 0;
        var daily = forecast.Daily;
        var low = Number(At(daily?.TemperatureMin, day));
        var high = Number(At(daily?.TemperatureMax, day));
        var chance = At(daily?.PrecipitationProbability, day);
        var when = tomorrow ? (fr ? "demain" : "tomorrow") : (fr ? "aujourd'hui" : "today");

        if (rain)
        {
            return (chance, fr) switch
            {
                (null, true) => $"Je n'ai pas la probabilité de pluie pour {where} {when}.",
                (null, false) => $"I don't have the chance of rain for {where} {when}.",
                ( >= 50, true) => $"Oui, il va probablement pleuvoir à {where} {when} ({chance} % de risque).",
                ( >= 50, false) => $"Yes, rain is likely in {where} {when} ({chance} % chance).",
                (_, true) => $"Il ne devrait pas pleuvoir à {where} {when} ({chance} % de risque).",
                _ => $"Rain is unlikely in {where} {when} ({chance} % chance).",
            };
        }

        var dayConditions = WmoCodes.Describe(At(daily?.WeatherCode, day), fr ? "fr" : "en");
        var rainPart = chance is { } p ? (fr ? $", {p} % de risque de pluie" : $", {p} % chance of rain") : "";
        if (tomorrow)
        {
            return fr
                ? $"Demain à {where} : {dayConditions}, de {low} à {high} {unit}{rainPart}."
                : $"Tomorrow in {where}: {dayConditions}, {low} to {high} {unit}{rainPart}.";
        }

        var current = forecast.Current;
        var now = WmoCodes.Describe(current?.WeatherCode, fr ? "fr" : "en");
        var wind = current?.WindSpeed is { } speed ? (fr ? $", vent {Number(speed)} km/h" : $", wind {Number(speed)} km/h") : "";
        return fr
            ? $"À {where}, il fait {Number(current?.Temperature)} {unit}, {now}{wind}. Aujourd'hui : de {low} à {high} {unit}{rainPart}."
            : $"In {where} it is {Number(current?.Temperature)} {unit}, {now}{wind}. Today: {low} to {high} {unit}{rainPart}.";
    }

    private static T? At<T>(IReadOnlyList<T?>? column, int index) where T : struct =>
        column is not null && index < column.Count ? column[index] : null;

    private static string Number(double? value) => value is { } v ? v.ToString("0.#", CultureInfo.InvariantCulture) : "?";

    private static bool IsTomorrow(string? day) =>
        day is not null && (day.Contains("tomorrow", StringComparison.OrdinalIgnoreCase) || day.Contains("demain", StringComparison.OrdinalIgnoreCase));

    private static readonly (Regex Pattern, string Language, bool Rain)[] s_phrasings =
    [
        (WeatherEn(), "en", false),
        (WeatherInEn(), "en", false),
        (RainEn(), "en", true),
        (WeatherFr(), "fr", false),
        (MeteoFr(), "fr", false),
        (RainFr(), "fr", true),
    ];

    // "what's the weather in Paris", "how is the weather like in Lyon tomorrow"
    [GeneratedRegex(Utterance.Lead + @"(?:what'?s|what\s+is|how'?s|how\s+is)\s+the\s+weather(?:\s+like)?\s+(?:in|at|for)\s+(?<city>[^?!]+?)" + EnWhen, Utterance.Options)]
    private static partial Regex WeatherEn();

    // "weather in Lyon tomorrow"
    [GeneratedRegex(Utterance.Lead + @"(?:the\s+)?weather\s+(?:in|at|for)\s+(?<city>[^?!]+?)" + EnWhen, Utterance.Options)]
    private static partial Regex WeatherInEn();

    // "is it going to rain in London", "will it rain in London tomorrow"
    [GeneratedRegex(Utterance.Lead + @"(?:is\s+it\s+going\s+to|will\s+it)\s+rain\s+(?:in|at)\s+(?<city>[^?!]+?)" + EnWhen, Utterance.Options)]
    private static partial Regex RainEn();

    // "quel temps fait-il à Paris", "quel temps fera-t-il à Lyon demain"
    [GeneratedRegex(Utterance.Lead + @"quel\s+temps\s+(?:fait-il|fera-t-il|va-t-il\s+faire)\s+(?:a|au|aux|en)\s+(?<city>[^?!]+?)" + FrWhen, Utterance.Options)]
    private static partial Regex WeatherFr();

    // "météo à Lyon demain", "la météo de Paris"
    [GeneratedRegex(Utterance.Lead + @"(?:la\s+)?meteo\s+(?:a|au|aux|en|de|pour)\s+(?<city>[^?!]+?)" + FrWhen, Utterance.Options)]
    private static partial Regex MeteoFr();

    // "va-t-il pleuvoir à Londres", "est-ce qu'il va pleuvoir à Londres demain"
    [GeneratedRegex(Utterance.Lead + @"(?:va-t-il|est-ce\s+qu'il\s+va|il\s+va)\s+pleuvoir\s+(?:a|au|aux|en)\s+(?<city>[^?!]+?)" + FrWhen, Utterance.Options)]
    private static partial Regex RainFr();
}
