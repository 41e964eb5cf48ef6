using System.Collections.Concurrent;
using System.Diagnostics;
using Jarvis.ServiceDefaults.Logging;
using OpenTelemetry;

namespace Jarvis.ServiceDefaults.Telemetry;

/// <summary>
/// Scrubs secrets (<see cref="SecretScrubber"/>) from every ended span before it is exported, as log records are
/// scrubbed before any provider sees them: string attributes (a secret-named one entirely), the status description,
/// and the attributes of events (an exception's message and stack trace). Registered before the exporter, so the
/// exporter only ever reads scrubbed spans.
/// </summary>
internal sealed class SecretScrubbingSpanProcessor : BaseProcessor<Activity>
{
    // Attribute names are the code's (a few dozen semantic-convention names), so whether each names a secret is
    // decided once rather than by a regular expression on every attribute of every span; capped all the same.
    private const int MaxCachedNames = 1024;
    private static readonly ConcurrentDictionary<string, bool> s_secretNames = new(StringComparer.Ordinal);

    public override void OnEnd(Activity data)
    {
        List<KeyValuePair<string, string>>? replaced = null;
        foreach (var (key, value) in data.TagObjects)
        {
            if (Scrubbed(key, value) is { } scrubbed)
            {
                (replaced ??= []).Add(new(key, scrubbed));
            }
        }

        foreach (var (key, value) in replaced ?? [])
        {
            data.SetTag(key, value);
        }

        if (data.StatusDescription is { } description && !ReferenceEquals(SecretScrubber.Scrub(description), description))
        {
            data.SetStatus(data.Status, SecretScrubber.Scrub(description));
        }

        // An event's attributes (Activity.AddException's message and stack trace) cannot be set again, but their
        // enumerator hands out each one by reference (as the OpenTelemetry SDK reads them): they are replaced in place.
        foreach (ref readonly var activityEvent in data.EnumerateEvents())
        {
            foreach (ref var tag in activityEvent.EnumerateTagObjects())
            {
                if (Scrubbed(tag.Key, tag.Value) is { } scrubbed)
                {
                    tag = new(tag.Key, scrubbed);
                }
            }
        }
    }

    // The scrubbed text of a value, or null when it holds no secret.
    private static string? Scrubbed(string key, object? value)
    {
        if (value is not string text)
        {
            return null;
        }

        if (IsSecretName(key))
        {
            return text == SecretScrubber.Mask ? null : SecretScrubber.Mask;
        }

        var scrubbed = SecretScrubber.Scrub(text);
        return ReferenceEquals(scrubbed, text) ? null : scrubbed;
    }

    private static bool IsSecretName(string key)
    {
        if (s_secretNames.TryGetValue(key, out var secret))
        {
            return secret;
        }

        secret = SecretScrubber.IsSecretName(key);
        if (s_secretNames.Count < MaxCachedNames)
        {
            s_secretNames.TryAdd(key, secret);
        }

        return secret;
    }
}
