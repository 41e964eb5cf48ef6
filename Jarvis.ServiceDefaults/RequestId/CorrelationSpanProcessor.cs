using System.Diagnostics;
using OpenTelemetry;

namespace Jarvis.ServiceDefaults.RequestId;

/// <summary>
/// Gives every span started inside a request the request's <c>request_id</c> and, when it is known, <c>user_id</c>,
/// copied from the nearest ancestor span of this process that has them (the server span). A WebSocket session is one
/// long request: its LLM and memory calls carry the connection's request id, and the user of the message in flight.
/// </summary>
internal sealed class CorrelationSpanProcessor : BaseProcessor<Activity>
{
    public override void OnStart(Activity data)
    {
        for (var ancestor = data.Parent; ancestor is not null; ancestor = ancestor.Parent)
        {
            if (ancestor.GetTagItem("request_id") is string requestId)
            {
                data.SetTag("request_id", requestId);
                if (ancestor.GetTagItem("user_id") is string userId)
                {
                    data.SetTag("user_id", userId);
                }

                return;
            }
        }
    }
}
