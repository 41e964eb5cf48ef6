namespace Jarvis.Api.Skills.Weather;

/// <summary>WMO weather interpretation codes (Open-Meteo's <c>weather_code</c>) as words, in English and French.</summary>
internal static class WmoCodes
{
    public static string Describe(int? code, string language)
    {
        var fr = language == "fr";
        return code switch
        {
            0 => fr ? "ciel dégagé" : "clear sky",
            1 => fr ? "ciel plutôt dégagé" : "mainly clear",
            2 => fr ? "partiellement nuageux" : "partly cloudy",
            3 => fr ? "couvert" : "overcast",
            45 or 48 => fr ? "brouillard" : "fog",
            51 or 53 or 55 => fr ? "bruine" : "drizzle",
            56 or 57 => fr ? "bruine verglaçante" : "freezing drizzle",
            61 => fr ? "pluie faible" : "light rain",
            63 => fr ? "pluie" : "rain",
            65 => fr ? "forte pluie" : "heavy rain",
            66 or 67 => fr ? "pluie verglaçante" : "freezing rain",
            71 => fr ? "neige faible" : "light snow",
            73 => fr ? "neige" : "snow",
            75 => fr ? "forte neige" : "heavy snow",
            77 => fr ? "grains de neige" : "snow grains",
            80 or 81 => fr ? "averses" : "rain showers",
            82 => fr ? "fortes averses" : "violent rain showers",
            85 or 86 => fr ? "averses de neige" : "snow showers",
            95 => fr ? "orage" : "thunderstorm",
            96 or 99 => fr ? "orage avec grêle" : "thunderstorm with hail",
            _ => fr ? "temps inconnu" : "unknown conditions",
        };
    }
}
