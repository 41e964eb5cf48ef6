using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Tests.Infrastructure.OpenMeteo;

/// <summary>
/// Open-Meteo's geocoding (<c>GET /v1/search</c>) and forecast (<c>GET /v1/forecast</c>) APIs on a free loopback port, as
/// /work/shared/specs/open-meteo-forecast.yml and wire-protocols.md §4 describe them: no match is a body without a
/// <c>results</c> key; an unknown variable, a missing coordinate or <c>daily</c> without <c>timezone</c> is a 400
/// <c>{"error":true,"reason":…}</c>; fields in the writer's order; <c>°C</c> or <c>°F</c>. Failures and delays can be scripted.
/// </summary>
public sealed class FakeOpenMeteoServer : IAsyncDisposable
{
    private static readonly string[] s_current =
    [
        "temperature_2m", "relative_humidity_2m", "apparent_temperature", "is_day", "precipitation", "rain", "showers", "snowfall",
        "weather_code", "cloud_cover", "pressure_msl", "surface_pressure", "wind_speed_10m", "wind_direction_10m", "wind_gusts_10m",
    ];

    private static readonly string[] s_daily =
    [
        "weather_code", "temperature_2m_max", "temperature_2m_min", "apparent_temperature_max", "apparent_temperature_min", "sunrise",
        "sunset", "daylight_duration", "sunshine_duration", "uv_index_max", "uv_index_clear_sky_max", "rain_sum", "showers_sum",
        "snowfall_sum", "precipitation_sum", "precipitation_hours", "precipitation_probability_max", "wind_speed_10m_max",
        "wind_gusts_10m_max", "wind_direction_10m_dominant", "shortwave_radiation_sum", "et0_fao_evapotranspiration",
    ];

    private WebApplication _app = null!;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<(int Status, TimeSpan Delay)> _scripted = new();

    /// <summary>The places the geocoding knows, by any of their names.</summary>
    public static IReadOnlyList<FakePlace> Places { get; } =
    [
        new(2988507, 48.85341, 2.3488, "Europe/Paris", "FR", new() { ["en"] = ("Paris", "France"), ["fr"] = ("Paris", "France") },
            new(18.4, 2, 12.6, [(3, 14.1, 21.7, 20), (61, 12.0, 17.5, 80)])),
        new(2996944, 45.74846, 4.84671, "Europe/Paris", "FR", new() { ["en"] = ("Lyon", "France"), ["fr"] = ("Lyon", "France") },
            new(21.0, 0, 8.0, [(0, 15.2, 25.9, 0), (2, 16.0, 27.3, 10)])),
        new(2643743, 51.50853, -0.12574, "Europe/London", "GB", new() { ["en"] = ("London", "United Kingdom"), ["fr"] = ("Londres", "Royaume-Uni") },
            new(14.2, 63, 20.1, [(63, 11.0, 15.0, 90), (80, 10.5, 16.0, 60)])),
    ];

    /// <summary>Where the server listens, such as <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The geocoding endpoint, for <c>Jarvis:Skills:Weather:GeocodingUrl</c>.</summary>
    public Uri GeocodingUrl => new(BaseAddress, "v1/search");

    /// <summary>The forecast endpoint, for <c>Jarvis:Skills:Weather:ForecastUrl</c>.</summary>
    public Uri ForecastUrl => new(BaseAddress, "v1/forecast");

    /// <summary>Every request's path and query, in arrival order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Starts the server.</summary>
    public static async Task<FakeOpenMeteoServer> StartAsync(CancellationToken cancellationToken)
    {
        var server = new FakeOpenMeteoServer();
        (server._app, server.BaseAddress) = await LoopbackApp.StartAsync("Jarvis.Tests.FakeOpenMeteo", app =>
        {
            app.MapGet("/v1/search", server.SearchAsync);
            app.MapGet("/v1/forecast", server.ForecastAsync);
        }, cancellationToken);
        return server;
    }

    /// <summary>The next request answers <paramref name="status"/> (Open-Meteo's error body) after <paramref name="delay"/>.</summary>
    public void FailNext(int status, TimeSpan delay = default) => _scripted.Enqueue((status, delay));

    /// <summary>The next request answers normally, but only after <paramref name="delay"/>.</summary>
    public void DelayNext(TimeSpan delay) => _scripted.Enqueue((StatusCodes.Status200OK, delay));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<bool> ScriptedAsync(HttpContext context)
    {
        _requests.Enqueue(context.Request.Path + context.Request.QueryString);
        if (!_scripted.TryDequeue(out var next))
        {
            return false;
        }

        await Task.Delay(next.Delay, context.RequestAborted);
        if (next.Status == StatusCodes.Status200OK)
        {
            return false;
        }

        await ErrorAsync(context, next.Status, "Internal server error");
        return true;
    }

    private async Task SearchAsync(HttpContext context)
    {
        if (await ScriptedAsync(context))
        {
            return;
        }

        var query = context.Request.Query;
        var count = query.TryGetValue("count", out var countText) ? int.Parse(countText!, CultureInfo.InvariantCulture) : 10;
        if (count is < 1 or > 100)
        {
            await ErrorAsync(context, 400, "Parameter count must be between 1 and 100.");
            return;
        }

        var name = query["name"].ToString().Trim();
        var language = query.TryGetValue("language", out var lang) ? lang.ToString() : "en";
        var body = new JsonObject();
        var matches = name.Length < 2 ? [] : Places.Where(p => p.Names.Values.Any(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase))).Take(count).ToList();
        if (matches.Count > 0)
        {
            body["results"] = new JsonArray([.. matches.Select(p => (JsonNode)p.Result(language))]);
        }

        body["generationtime_ms"] = 0.52;
        await WriteAsync(context, body);
    }

    private async Task ForecastAsync(HttpContext context)
    {
        if (await ScriptedAsync(context))
        {
            return;
        }

        var query = context.Request.Query;
        if (!double.TryParse(query["latitude"], CultureInfo.InvariantCulture, out var latitude) || !double.TryParse(query["longitude"], CultureInfo.InvariantCulture, out var longitude))
        {
            await ErrorAsync(context, 400, "Parameter 'latitude' and 'longitude' must have the same number of elements");
            return;
        }

        var current = Split(query["current"]);
        var daily = Split(query["daily"]);
        foreach (var (variables, known, key) in new[] { (current, s_current, "current"), (daily, s_daily, "daily") })
        {
            if (variables.FirstOrDefault(v => !known.Contains(v)) is { } unknown)
            {
                await ErrorAsync(context, 400, $"Cannot initialize WeatherVariable from invalid String value {unknown} for key {key}");
                return;
            }
        }

        if (daily.Length > 0 && string.IsNullOrEmpty(query["timezone"]))
        {
            await ErrorAsync(context, 400, "Timezone is required");
            return;
        }

        var place = Places.MinBy(p => Math.Abs(p.Latitude - latitude) + Math.Abs(p.Longitude - longitude))!;
        var fahrenheit = query["temperature_unit"] == "fahrenheit";
        var unit = fahrenheit ? "°F" : "°C";
        double Temperature(double celsius) => Math.Round(fahrenheit ? celsius * 9 / 5 + 32 : celsius, 1);
        var days = query.TryGetValue("forecast_days", out var daysText) ? int.Parse(daysText!, CultureInfo.InvariantCulture) : 7;
        var weather = place.Weather;
        var body = new JsonObject
        {
            ["latitude"] = Math.Round(place.Latitude, 3),
            ["longitude"] = Math.Round(place.Longitude, 3),
            ["generationtime_ms"] = 0.05,
            ["utc_offset_seconds"] = 3600,
            ["timezone"] = query["timezone"] == "auto" ? place.TimeZone : query["timezone"].ToString() is { Length: > 0 } zone ? zone : "GMT",
            ["timezone_abbreviation"] = "GMT+1",
            ["elevation"] = 38.0,
        };
        if (current.Length > 0)
        {
            var units = new JsonObject { ["time"] = "iso8601", ["interval"] = "seconds" };
            var values = new JsonObject { ["time"] = "2026-12-03T13:15", ["interval"] = 900 };
            foreach (var variable in current)
            {
                (units[variable], values[variable]) = variable switch
                {
                    "temperature_2m" => ((JsonNode)unit, (JsonNode?)Temperature(weather.Temperature)),
                    "weather_code" => ("wmo code", weather.WeatherCode),
                    "wind_speed_10m" => ("km/h", weather.WindSpeed),
                    _ => ("", null),
                };
            }

            body["current_units"] = units;
            body["current"] = values;
        }

        if (daily.Length > 0)
        {
            var units = new JsonObject { ["time"] = "iso8601" };
            var values = new JsonObject { ["time"] = new JsonArray([.. Enumerable.Range(0, days).Select(d => (JsonNode)$"2026-12-{3 + d:00}")]) };
            foreach (var variable in daily)
            {
                JsonNode? Day(int d) => d >= weather.Days.Count ? null : variable switch
                {
                    "weather_code" => weather.Days[d].Code,
                    "temperature_2m_max" => Temperature(weather.Days[d].Max),
                    "temperature_2m_min" => Temperature(weather.Days[d].Min),
                    "precipitation_probability_max" => weather.Days[d].RainChance,
                    _ => null,
                };
                units[variable] = variable switch { "weather_code" => "wmo code", "precipitation_probability_max" => "%", _ when variable.StartsWith("temperature", StringComparison.Ordinal) => unit, _ => "" };
                values[variable] = new JsonArray([.. Enumerable.Range(0, days).Select(Day)]);
            }

            body["daily_units"] = units;
            body["daily"] = values;
        }

        await WriteAsync(context, body);
    }

    private static string[] Split(string? list) => string.IsNullOrEmpty(list) ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Task ErrorAsync(HttpContext context, int status, string reason)
    {
        context.Response.StatusCode = status;
        return WriteAsync(context, new JsonObject { ["error"] = true, ["reason"] = reason });
    }

    private static Task WriteAsync(HttpContext context, JsonObject body)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}

/// <summary>A place the fake's geocoding knows, with its names per language and the weather its forecast gives.</summary>
public sealed record FakePlace(int Id, double Latitude, double Longitude, string TimeZone, string CountryCode, Dictionary<string, (string Name, string Country)> Names, FakeWeather Weather)
{
    /// <summary>The geocoding result, named in <paramref name="language"/> (English when it has no name in it).</summary>
    public JsonObject Result(string language)
    {
        var (name, country) = Names.TryGetValue(language, out var named) ? named : Names["en"];
        return new JsonObject
        {
            ["id"] = Id,
            ["name"] = name,
            ["latitude"] = Latitude,
            ["longitude"] = Longitude,
            ["elevation"] = 42.0,
            ["feature_code"] = "PPLC",
            ["country_code"] = CountryCode,
            ["timezone"] = TimeZone,
            ["population"] = 1000000,
            ["country"] = country,
        };
    }
}

/// <summary>The fake's weather at a place: now, then (code, min, max, rain chance) for each day from today.</summary>
public sealed record FakeWeather(double Temperature, int WeatherCode, double WindSpeed, IReadOnlyList<(int Code, double Min, double Max, int RainChance)> Days);
