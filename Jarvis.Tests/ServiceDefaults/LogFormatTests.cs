using System.Diagnostics;
using System.Text.Json;
using Jarvis.ServiceDefaults.Logging;
using Jarvis.ServiceDefaults.RequestId;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Jarvis.Tests.ServiceDefaults;

public sealed class LogFormatTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 21, 20, 41, 2, 123, TimeSpan.Zero);

    private static string Format(Func<IOptionsMonitor<JarvisConsoleFormatterOptions>, TimeProvider, Microsoft.Extensions.Logging.Console.ConsoleFormatter> create, Exception? exception = null)
    {
        var formatter = create(new FixedOptions(new JarvisConsoleFormatterOptions { Component = "memory" }), new FixedTime(s_now));
        var scopes = new LoggerExternalScopeProvider();
        using var requestScope = scopes.Push(new RequestLogScope("req-42", "POST", "/api/memories", "10.1.2.3") { UserId = "alice" });
        using var servedScope = scopes.Push(new Dictionary<string, object?> { ["RequestId"] = "0HKESTREL:1" });
        IReadOnlyList<KeyValuePair<string, object?>> state =
        [
            new("status_code", 201),
            new("latency_ms", 12.3456),
            new("Stored", true),
            new("{OriginalFormat}", "request served {status_code} in {latency_ms} ms"),
        ];
        var entry = new LogEntry<IReadOnlyList<KeyValuePair<string, object?>>>(
            LogLevel.Information, "Jarvis.Memory.Apis", new EventId(7), state, exception, (_, _) => "request served 201 in 12.3456 ms");
        using var writer = new StringWriter();
        formatter.Write(in entry, scopes, writer);
        return writer.ToString();
    }

    [Fact]
    public void JsonFormatWritesOneObjectPerLineWithTheSchemaFields()
    {
        using var activity = new Activity("test").Start();

        var text = Format((options, time) => new JsonLogFormatter(options, time));

        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Single(text.TrimEnd('\n').Split('\n'));
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal("2026-11-21T20:41:02.123Z", json.GetProperty("ts").GetString());
        Assert.Equal("info", json.GetProperty("lvl").GetString());
        Assert.Equal("Jarvis.Memory.Apis", json.GetProperty("logger").GetString());
        Assert.Equal("request served 201 in 12.3456 ms", json.GetProperty("msg").GetString());
        Assert.Equal("memory", json.GetProperty("component").GetString());
        Assert.Equal("req-42", json.GetProperty("request_id").GetString());
        Assert.Equal("POST", json.GetProperty("method").GetString());
        Assert.Equal("/api/memories", json.GetProperty("path").GetString());
        Assert.Equal("10.1.2.3", json.GetProperty("client_ip").GetString());
        Assert.Equal("alice", json.GetProperty("user_id").GetString());
        Assert.Equal(201, json.GetProperty("status_code").GetInt32());
        Assert.Equal(12.346, json.GetProperty("latency_ms").GetDouble());
        Assert.True(json.GetProperty("Stored").GetBoolean());
        Assert.Equal(7, json.GetProperty("event_id").GetInt32());
        Assert.Equal(activity.TraceId.ToHexString(), json.GetProperty("trace_id").GetString());
        Assert.False(json.TryGetProperty("{OriginalFormat}", out _));
        Assert.False(json.TryGetProperty("RequestId", out _));
        Assert.False(json.TryGetProperty("scope", out _));
    }

    [Fact]
    public void JsonFormatIncludesTheException()
    {
        var text = Format((options, time) => new JsonLogFormatter(options, time), new InvalidOperationException("boom"));

        var json = JsonDocument.Parse(text).RootElement;
        Assert.StartsWith("System.InvalidOperationException: boom", json.GetProperty("exception").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TextFormatWritesOneReadableLine()
    {
        var text = Format((options, time) => new TextLogFormatter(options, time));

        Assert.Single(text.TrimEnd('\n').Split('\n'));
        Assert.Matches(
            @"^\d\d:\d\d:\d\d\.\d{3} info  Jarvis\.Memory\.Apis: request served 201 in 12\.3456 ms \{component=memory status_code=201 latency_ms=12\.346 Stored=True request_id=req-42 method=POST path=/api/memories client_ip=10\.1\.2\.3 user_id=alice\}\n$",
            text);
    }

    private sealed class FixedOptions(JarvisConsoleFormatterOptions value) : IOptionsMonitor<JarvisConsoleFormatterOptions>
    {
        public JarvisConsoleFormatterOptions CurrentValue => value;

        public JarvisConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<JarvisConsoleFormatterOptions, string?> listener) => null;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
