using System.Data.Common;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Jarvis.Api.Skills.HomeAssistant;

/// <summary>
/// A client of Home Assistant's REST API (<c>../shared/specs/home-assistant-rest.md</c>) with the long-lived token
/// of <c>ConnectionStrings:homeassistant</c> (<c>Endpoint=http://host:8123;Key=TOKEN</c>). <c>GET /api/states</c> is
/// cached for a few seconds; a 401 is <see cref="HomeAssistantException.Unauthorized"/>, anything else that fails is
/// unavailable. The token is never part of a message.
/// </summary>
/// <remarks>A singleton, so the cache is shared; each call takes its client from <see cref="IHttpClientFactory"/>.</remarks>
public sealed class HomeAssistantClient(IHttpClientFactory httpClientFactory, HomeAssistantConnection? connection, TimeProvider timeProvider)
{
    /// <summary>The name of the <see cref="HttpClient"/> (its resilience options are <c>HttpResilience:Clients:HomeAssistant</c>).</summary>
    public const string HttpClientName = "HomeAssistant";

    /// <summary>How long a read of every state is reused.</summary>
    public static readonly TimeSpan StatesCacheDuration = TimeSpan.FromSeconds(3);

    private readonly Lock _cacheLock = new();
    private (DateTimeOffset At, IReadOnlyList<EntityState> States)? _cache;

    /// <summary>Whether <c>ConnectionStrings:homeassistant</c> is set.</summary>
    public bool IsConfigured => connection is not null;

    /// <summary>Every entity's state, at most <see cref="StatesCacheDuration"/> old.</summary>
    public async Task<IReadOnlyList<EntityState>> GetStatesAsync(CancellationToken cancellationToken)
    {
        lock (_cacheLock)
        {
            if (_cache is { } cached && timeProvider.GetUtcNow() - cached.At < StatesCacheDuration)
            {
                return cached.States;
            }
        }

        var states = await SendAsync<List<EntityState>>(HttpMethod.Get, "api/states", null, cancellationToken);
        lock (_cacheLock)
        {
            _cache = (timeProvider.GetUtcNow(), states);
        }

        return states;
    }

    /// <summary>Calls <c>POST /api/services/{domain}/{service}</c> and returns the states the call changed.</summary>
    public async Task<IReadOnlyList<EntityState>> CallServiceAsync(string domain, string service, Dictionary<string, object> data, CancellationToken cancellationToken)
    {
        var changed = await SendAsync<List<EntityState>>(HttpMethod.Post, $"api/services/{domain}/{service}", data, cancellationToken);
        lock (_cacheLock)
        {
            _cache = null;
        }

        return changed;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var endpoint = connection ?? throw new InvalidOperationException("Home Assistant is not configured.");
        using var request = new HttpRequestMessage(method, new Uri(endpoint.Endpoint, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.Key);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        try
        {
            using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new HomeAssistantException(unauthorized: true, "Home Assistant refused the access token (401).");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new HomeAssistantException(unauthorized: false, $"Home Assistant answered {(int)response.StatusCode} to {method} /{path}.");
            }

            return await response.Content.ReadFromJsonAsync<T>(cancellationToken) ?? throw new HomeAssistantException(unauthorized: false, "Home Assistant answered with an empty body.");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or Polly.ExecutionRejectedException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new HomeAssistantException(unauthorized: false, $"Home Assistant could not be reached: {e.Message}", e);
        }
    }
}

/// <summary>Where Home Assistant is and its long-lived access token.</summary>
public sealed record HomeAssistantConnection(Uri Endpoint, string Key)
{
    /// <summary>The connection string's name.</summary>
    public const string Name = "homeassistant";

    /// <summary>Reads <c>Endpoint=http://host:8123;Key=TOKEN</c>; null when unset.</summary>
    /// <exception cref="FormatException">The connection string is malformed (the message never quotes it: it holds the token).</exception>
    public static HomeAssistantConnection? FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.GetConnectionString(Name) is not { Length: > 0 } value)
        {
            return null;
        }

        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = value;
        }
        catch (ArgumentException)
        {
            throw new FormatException($"ConnectionStrings:{Name} is malformed; expected 'Endpoint=http://host:8123;Key=<long-lived token>'.");
        }

        var endpoint = builder.TryGetValue("Endpoint", out var e) ? e?.ToString() : null;
        var key = builder.TryGetValue("Key", out var k) ? k?.ToString() : null;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrWhiteSpace(key))
        {
            throw new FormatException($"ConnectionStrings:{Name} needs an http(s) Endpoint and a Key: 'Endpoint=http://host:8123;Key=<long-lived token>'.");
        }

        return new HomeAssistantConnection(new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/"), key);
    }

    /// <summary>The endpoint only: the key is a secret.</summary>
    public override string ToString() => Endpoint.ToString();
}

/// <summary>An entity's state as Home Assistant reports it.</summary>
public sealed record EntityState(
    [property: JsonPropertyName("entity_id")] string EntityId,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("attributes")] Dictionary<string, JsonElement>? Attributes)
{
    /// <summary>The entity's domain, such as <c>light</c>.</summary>
    public string Domain => EntityId.Split('.')[0];

    /// <summary>Its <c>friendly_name</c>, else its id.</summary>
    public string FriendlyName => Attributes?.TryGetValue("friendly_name", out var name) == true && name.ValueKind == JsonValueKind.String ? name.GetString()! : EntityId;

    /// <summary>A numeric attribute, when there is one.</summary>
    public double? Number(string attribute) =>
        Attributes?.TryGetValue(attribute, out var value) == true && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}

/// <summary>Home Assistant refused the token, failed or could not be reached.</summary>
public sealed class HomeAssistantException : Exception
{
    /// <summary>Creates the exception.</summary>
    public HomeAssistantException(bool unauthorized, string message, Exception? inner = null)
        : base(message, inner) => Unauthorized = unauthorized;

    /// <summary>Creates the exception.</summary>
    public HomeAssistantException()
    {
    }

    /// <summary>Creates the exception with its reason.</summary>
    public HomeAssistantException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its reason and cause.</summary>
    public HomeAssistantException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>True when Home Assistant answered 401: the token is wrong or revoked.</summary>
    public bool Unauthorized { get; }
}
