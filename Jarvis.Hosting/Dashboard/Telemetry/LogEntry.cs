namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>A filter over the structured logs; every given criterion must match.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>Resource</c>: A resource name from <see cref="TelemetryRepository.GetResources"/>, or a service name (all its instances).</item>
/// <item><c>MinLevel</c>: The lowest level shown: Trace, Debug, Information, Warning, Error or Critical.</item>
/// <item><c>Text</c>: Found, ignoring case, in the message or in any attribute value.</item>
/// <item><c>TraceId</c>: Only the records of this trace (32 hex digits).</item>
/// <item><c>Limit</c>: The most records returned.</item>
/// </list>
/// </remarks>
public sealed record LogQuery(string? Resource = null, string? MinLevel = null, string? Text = null, string? TraceId = null, int Limit = 200);

/// <summary>A structured log record.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>Id</c>: Increases with every record received, so a page can ask for what is new.</item>
/// <item><c>Level</c>: Trace, Debug, Information, Warning, Error or Critical, from the OTLP severity number.</item>
/// <item><c>Category</c>: The instrumentation scope's name (the logger's category in .NET).</item>
/// </list>
/// </remarks>
public sealed record LogEntry(
    long Id,
    DateTimeOffset Timestamp,
    string Resource,
    string Level,
    string Message,
    string? TraceId,
    string? SpanId,
    string? Category,
    IReadOnlyList<Attribute> Attributes);
