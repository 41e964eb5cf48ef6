using System.Diagnostics.CodeAnalysis;

namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>An attribute of a log record, span, event or metric series, its value rendered as text (arrays as <c>["a", 1]</c>).</summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "The name is part of the query API the dashboard's pages are written against.")]
public sealed record Attribute(string Key, string Value);
