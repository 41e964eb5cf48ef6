using System.Collections;

namespace Jarvis.ServiceDefaults.RequestId;

/// <summary>
/// The logging scope of one request: <c>request_id</c>, <c>method</c>, <c>path</c>, <c>client_ip</c>, and
/// <c>user_id</c> from the moment it is known. The same names are the server span's attributes.
/// </summary>
internal sealed class RequestLogScope(string requestId, string method, string path, string? clientIp)
    : IReadOnlyList<KeyValuePair<string, object?>>
{
    private const int FixedCount = 4;

    public string RequestId { get; } = requestId;

    public string? UserId { get; set; }

    public int Count => UserId is null ? FixedCount : FixedCount + 1;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("request_id", RequestId),
        1 => new("method", method),
        2 => new("path", path),
        3 => new("client_ip", clientIp),
        4 when UserId is not null => new("user_id", UserId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"request_id:{RequestId}";
}
