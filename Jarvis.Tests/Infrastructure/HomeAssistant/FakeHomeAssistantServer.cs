using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Jarvis.Tests.Infrastructure.HomeAssistant;

/// <summary>
/// Home Assistant's REST API on a free loopback port, as /work/shared/specs/home-assistant-rest.md and wire-protocols.md
/// §3 describe it: <c>Authorization: Bearer TOKEN</c> or a plain-text 401; <c>GET /api/states</c> as State objects;
/// <c>POST /api/services/{domain}/{service}</c> applying the call and answering the states it changed; an unknown
/// service or bad JSON a 400. The home holds lights, a switch, covers and a thermostat, some named in French.
/// </summary>
public sealed class FakeHomeAssistantServer : IAsyncDisposable
{
    /// <summary>The long-lived token the fake accepts.</summary>
    public const string Token = "fake-ha-long-lived-token-0123456789";

    private static readonly Dictionary<string, string[]> s_services = new()
    {
        ["light"] = ["turn_on", "turn_off", "toggle"],
        ["switch"] = ["turn_on", "turn_off", "toggle"],
        ["cover"] = ["open_cover", "close_cover", "set_cover_position", "stop_cover"],
        ["climate"] = ["set_temperature", "turn_on", "turn_off"],
    };

    private WebApplication _app = null!;
    private readonly ConcurrentDictionary<string, JsonObject> _states = new();
    private readonly ConcurrentQueue<(string Path, string Body)> _calls = new();
    private readonly ConcurrentQueue<(int Status, TimeSpan Delay)> _scripted = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private int _reads;

    private FakeHomeAssistantServer()
    {
        Add("light.kitchen_ceiling", "on", new() { ["friendly_name"] = "Kitchen ceiling", ["brightness"] = 153 });
        Add("light.kitchen_counter", "off", new() { ["friendly_name"] = "Kitchen counter" });
        Add("light.living_room_lamp", "on", new() { ["friendly_name"] = "Living room lamp", ["brightness"] = 255 });
        Add("switch.coffee_machine", "off", new() { ["friendly_name"] = "Coffee machine" });
        Add("cover.bedroom_blinds", "closed", new() { ["friendly_name"] = "Bedroom blinds", ["current_position"] = 0 });
        Add("climate.hallway", "heat", new() { ["friendly_name"] = "Hallway thermostat", ["temperature"] = 20.0, ["current_temperature"] = 19.5 });
        Add("light.cuisine", "off", new() { ["friendly_name"] = "Lumière cuisine" });
        Add("cover.volet_salon", "open", new() { ["friendly_name"] = "Volet salon", ["current_position"] = 100 });
        Add("sun.sun", "above_horizon", new() { ["friendly_name"] = "Sun" });
    }

    /// <summary>Where the server listens, such as <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every service call's path and body, in arrival order.</summary>
    public IReadOnlyList<(string Path, string Body)> ServiceCalls => [.. _calls];

    /// <summary>Every request's method and path, failed ones too, in arrival order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>How many times <c>GET /api/states</c> was answered.</summary>
    public int StateReads => Volatile.Read(ref _reads);

    /// <summary>The connection string of this server with <paramref name="token"/>.</summary>
    public string ConnectionString(string token = Token) => $"Endpoint={BaseAddress};Key={token}";

    /// <summary>Starts the server.</summary>
    public static async Task<FakeHomeAssistantServer> StartAsync(CancellationToken cancellationToken)
    {
        var server = new FakeHomeAssistantServer();
        (server._app, server.BaseAddress) = await LoopbackApp.StartAsync("Jarvis.Tests.FakeHomeAssistant", app =>
        {
            app.MapGet("/api/states", server.StatesAsync);
            app.MapPost("/api/services/{domain}/{service}", server.ServiceAsync);
        }, cancellationToken);
        return server;
    }

    /// <summary>The next request answers <paramref name="status"/> (503 as when Home Assistant stops: an empty body) after <paramref name="delay"/>.</summary>
    public void FailNext(int status, TimeSpan delay = default) => _scripted.Enqueue((status, delay));

    /// <summary>The state of <paramref name="entityId"/> now.</summary>
    public JsonObject State(string entityId) => _states[entityId];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Add(string entityId, string state, JsonObject attributes)
    {
        var now = DateTimeOffset.UtcNow.ToString("O");
        _states[entityId] = new JsonObject
        {
            ["entity_id"] = entityId,
            ["state"] = state,
            ["attributes"] = attributes,
            ["last_changed"] = now,
            ["last_reported"] = now,
            ["last_updated"] = now,
            ["context"] = new JsonObject { ["id"] = Guid.NewGuid().ToString("N"), ["parent_id"] = null, ["user_id"] = null },
        };
    }

    private async Task<bool> AuthorizedAsync(HttpContext context)
    {
        _requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
        if (_scripted.TryDequeue(out var next))
        {
            await Task.Delay(next.Delay, context.RequestAborted);
            context.Response.StatusCode = next.Status;
            return false;
        }

        if (context.Request.Headers.Authorization.ToString() == $"Bearer {Token}")
        {
            return true;
        }

        // aiohttp's HTTPUnauthorized: plain text, not the JSON {message} shape.
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("401: Unauthorized");
        return false;
    }

    private async Task StatesAsync(HttpContext context)
    {
        if (!await AuthorizedAsync(context))
        {
            return;
        }

        Interlocked.Increment(ref _reads);
        await WriteAsync(context, new JsonArray([.. _states.Values.OrderBy(s => (string?)s["entity_id"]).Select(s => (JsonNode)s.DeepClone())]));
    }

    private async Task ServiceAsync(HttpContext context, string domain, string service)
    {
        if (!await AuthorizedAsync(context))
        {
            return;
        }

        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        _calls.Enqueue(($"/api/services/{domain}/{service}", body));
        JsonObject? data;
        try
        {
            data = body.Length == 0 ? [] : JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            data = null;
        }

        if (data is null)
        {
            context.Response.StatusCode = 400;
            await WriteAsync(context, new JsonObject { ["message"] = "Data should be valid JSON." });
            return;
        }

        if (!s_services.TryGetValue(domain, out var services) || !services.Contains(service))
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("400: Bad Request");
            return;
        }

        var changed = new JsonArray();
        if ((string?)data["entity_id"] is { } entityId && _states.TryGetValue(entityId, out var entity) && entityId.StartsWith(domain + ".", StringComparison.Ordinal))
        {
            var attributes = entity["attributes"]!.AsObject();
            switch (service)
            {
                case "turn_on":
                    entity["state"] = domain == "climate" ? "heat" : "on";
                    if (data["brightness_pct"] is { } percent)
                    {
                        attributes["brightness"] = (int)Math.Round((double)percent * 255 / 100);
                    }
                    else if (domain == "light" && attributes["brightness"] is null)
                    {
                        attributes["brightness"] = 255;
                    }

                    break;
                case "turn_off":
                    entity["state"] = "off";
                    attributes.Remove("brightness");
                    break;
                case "open_cover":
                    (entity["state"], attributes["current_position"]) = ("open", 100);
                    break;
                case "close_cover":
                    (entity["state"], attributes["current_position"]) = ("closed", 0);
                    break;
                case "set_cover_position":
                    var position = (int)data["position"]!;
                    (entity["state"], attributes["current_position"]) = (position > 0 ? "open" : "closed", position);
                    break;
                case "set_temperature":
                    attributes["temperature"] = (double)data["temperature"]!;
                    break;
            }

            var now = DateTimeOffset.UtcNow.ToString("O");
            entity["last_changed"] = now;
            entity["last_updated"] = now;
            changed.Add(entity.DeepClone());
        }

        await WriteAsync(context, changed);
    }

    private static Task WriteAsync(HttpContext context, JsonNode body)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }
}
