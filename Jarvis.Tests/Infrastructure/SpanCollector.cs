using System.Diagnostics;

namespace Jarvis.Tests.Infrastructure;

/// <summary>
/// Records every stopped span of one activity source that a predicate accepts (tests run at once, so each
/// keeps only its own: by model, by request id, …), with all data requested.
/// </summary>
public sealed class SpanCollector : IDisposable
{
    private readonly List<Activity> _stopped = [];
    private readonly ActivityListener _listener;

    public SpanCollector(string sourceName, Func<Activity, bool> keep)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == sourceName,
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (keep(activity))
                {
                    lock (_stopped)
                    {
                        _stopped.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The spans recorded so far, in the order they stopped.</summary>
    public IReadOnlyList<Activity> Stopped
    {
        get
        {
            lock (_stopped)
            {
                return [.. _stopped];
            }
        }
    }

    /// <summary>A span of the GenAI model <paramref name="model"/> (its <c>gen_ai.request.model</c>).</summary>
    public static Func<Activity, bool> OfModel(string model) => activity => activity.GetTagItem("gen_ai.request.model") as string == model;

    public void Dispose() => _listener.Dispose();
}
