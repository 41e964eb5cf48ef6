using Microsoft.Extensions.Logging;

namespace Jarvis.ServiceDefaults.Logging;

/// <summary>
/// Flattens a record's state values and its scopes into one list of named fields, state first so a record's own
/// value wins over a scope's. Scopes that are not name/value lists are kept as text under <c>scope</c>.
/// </summary>
internal static class LogRecordFields
{
    private const string OriginalFormatKey = "{OriginalFormat}";

    // The framework's hosting scope repeats what the request scope says better (request_id is ours, not Kestrel's).
    private static readonly HashSet<string> s_skipped = [OriginalFormatKey, "RequestId", "RequestPath"];

    public static List<KeyValuePair<string, object?>> Collect<TState>(TState state, IExternalScopeProvider? scopeProvider)
    {
        var fields = new List<KeyValuePair<string, object?>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            Add(values, fields, seen);
        }

        scopeProvider?.ForEachScope(static (scope, context) =>
        {
            if (scope is IEnumerable<KeyValuePair<string, object?>> scopeValues)
            {
                Add(scopeValues, context.Fields, context.Seen);
            }
            else if (scope is not null)
            {
                context.Fields.Add(new("scope", scope.ToString()));
            }
        }, (Fields: fields, Seen: seen));

        return fields;
    }

    private static void Add(IEnumerable<KeyValuePair<string, object?>> values, List<KeyValuePair<string, object?>> fields, HashSet<string> seen)
    {
        foreach (var field in values)
        {
            if (!s_skipped.Contains(field.Key) && seen.Add(field.Key))
            {
                fields.Add(field);
            }
        }
    }

    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "none",
    };
}
