using System.ComponentModel.DataAnnotations;

namespace Jarvis.Api.Skills.Weather;

/// <summary>The weather skill's settings (section <c>Jarvis:Skills:Weather</c>).</summary>
public sealed class WeatherOptions
{
    /// <summary>Open-Meteo's forecast endpoint; a self-hosted Open-Meteo works too.</summary>
    [Required]
    public Uri ForecastUrl { get; set; } = new("https://api.open-meteo.com/v1/forecast");

    /// <summary>Open-Meteo's geocoding endpoint.</summary>
    [Required]
    public Uri GeocodingUrl { get; set; } = new("https://geocoding-api.open-meteo.com/v1/search");

    /// <summary><c>celsius</c> (default) or <c>fahrenheit</c>.</summary>
    [RegularExpression("^(celsius|fahrenheit)$", ErrorMessage = "TemperatureUnit must be celsius or fahrenheit.")]
    public string TemperatureUnit { get; set; } = "celsius";
}
