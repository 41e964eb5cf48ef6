using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.Skills.Weather;

/// <summary>
/// A typed client of Open-Meteo's geocoding and forecast APIs (<c>../shared/specs/open-meteo-forecast.yml</c>). Any
/// failure (an error status, a timeout of the resilience pipeline, no connection) is a <see cref="WeatherUnavailableException"/>.
/// </summary>
public sealed class OpenMeteoClient(HttpClient http, IOptions<WeatherOptions> options)
{
    /// <summary>The best match for <paramref name="name"/>, named in <paramref name="language"/>; null when there is none.</summary>
    public async Task<Place?> FindAsync(string name, string language, CancellationToken cancellationToken)
    {
        var url = $"{options.Value.GeocodingUrl}?name={Uri.EscapeDataString(name)}&count=1&language={language}&format=json";
        var found = await GetAsync<GeocodingResponse>(url, cancellationToken);

        // No match is no "results" key at all.
        return found.Results is [var first, ..] ? first : null;
    }

    /// <summary>The current conditions and the daily forecast for today and tomorrow at <paramref name="place"/>, in its time zone.</summary>
    public Task<Forecast> ForecastAsync(Place place, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(place);
        const string Variables = "&current=temperature_2m,weather_code,wind_speed_10m" +
            "&daily=weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max&timezone=auto&forecast_days=2";
        var url = string.Create(
            CultureInfo.InvariantCulture,
            $"{options.Value.ForecastUrl}?latitude={place.Latitude}&longitude={place.Longitude}{Variables}&temperature_unit={options.Value.TemperatureUnit}");
        return GetAsync<Forecast>(url, cancellationToken);
    }

    private async Task<T> GetAsync<T>(string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new WeatherUnavailableException($"Open-Meteo answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            return await response.Content.ReadFromJsonAsync<T>(cancellationToken)
                ?? throw new WeatherUnavailableException("Open-Meteo answered with an empty body.");
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or Polly.ExecutionRejectedException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new WeatherUnavailableException($"Open-Meteo could not be reached: {e.Message}", e);
        }
    }

    private sealed record GeocodingResponse([property: JsonPropertyName("results")] IReadOnlyList<Place>? Results);
}

/// <summary>A place Open-Meteo's geocoding found.</summary>
public sealed record Place(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("latitude")] double Latitude,
    [property: JsonPropertyName("longitude")] double Longitude,
    [property: JsonPropertyName("country")] string? Country);

/// <summary>The parts of a forecast response the skill reads.</summary>
public sealed record Forecast(
    [property: JsonPropertyName("current_units")] IReadOnlyDictionary<string, string>? CurrentUnits,
    [property: JsonPropertyName("current")] CurrentConditions? Current,
    [property: JsonPropertyName("daily")] DailyForecast? Daily);

/// <summary>The <c>current</c> block.</summary>
public sealed record CurrentConditions(
    [property: JsonPropertyName("temperature_2m")] double? Temperature,
    [property: JsonPropertyName("weather_code")] int? WeatherCode,
    [property: JsonPropertyName("wind_speed_10m")] double? WindSpeed);

/// <summary>The <c>daily</c> block: columns parallel to <c>time</c>, <c>null</c> where a value is missing.</summary>
public sealed record DailyForecast(
    [property: JsonPropertyName("time")] IReadOnlyList<string> Time,
    [property: JsonPropertyName("weather_code")] IReadOnlyList<int?>? WeatherCode,
    [property: JsonPropertyName("temperature_2m_max")] IReadOnlyList<double?>? TemperatureMax,
    [property: JsonPropertyName("temperature_2m_min")] IReadOnlyList<double?>? TemperatureMin,
    [property: JsonPropertyName("precipitation_probability_max")] IReadOnlyList<int?>? PrecipitationProbability);

/// <summary>Open-Meteo failed, timed out or could not be reached.</summary>
public sealed class WeatherUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WeatherUnavailableException()
    {
    }

    /// <summary>Creates the exception with its reason.</summary>
    public WeatherUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its reason and cause.</summary>
    public WeatherUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
