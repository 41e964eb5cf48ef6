using System.Diagnostics.Metrics;

namespace Jarvis.Api.Chat;

/// <summary><c>chat_requests_total{channel,outcome}</c> on meter <c>Jarvis.Api</c>.</summary>
public sealed class ChatMetrics
{
    private readonly Counter<long> _requests;

    /// <summary>Creates the counter.</summary>
    public ChatMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _requests = meterFactory.Create("Jarvis.Api").CreateCounter<long>("chat_requests_total", "{request}", "Chat turns by channel and outcome.");
    }

    /// <summary>Counts one turn: <paramref name="channel"/> rest, sse, ws or openai; <paramref name="outcome"/> ok, invalid, error.</summary>
    public void Request(string channel, string outcome) =>
        _requests.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("outcome", outcome));
}
