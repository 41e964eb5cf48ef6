using Microsoft.Extensions.Options;

namespace Jarvis.Memory.Memories;

/// <summary>Scores recalled memories: <c>(wr·relevance + wt·recency + wi·importance) / (wr + wt + wi)</c>.</summary>
public sealed class MemoryRanker(IOptions<RankingOptions> options)
{
    /// <summary>Ranks vector matches, best first, with each score component.</summary>
    public IReadOnlyList<RankedMemory> Rank(IEnumerable<VectorMatch> matches, DateTimeOffset now)
    {
        var settings = options.Value;
        var totalWeight = settings.RelevanceWeight + settings.RecencyWeight + settings.ImportanceWeight;
        return [.. matches
            .Select(match =>
            {
                var relevance = Math.Clamp(match.Similarity, 0, 1);
                var age = now - match.Memory.LastAccessedAt;
                var recency = age <= TimeSpan.Zero ? 1 : Math.Pow(0.5, age / settings.RecencyHalfLife);
                var importance = match.Memory.Importance;
                var score = totalWeight == 0 ? 0
                    : ((settings.RelevanceWeight * relevance) + (settings.RecencyWeight * recency) + (settings.ImportanceWeight * importance)) / totalWeight;
                return new RankedMemory(match.Memory, score, relevance, recency, importance);
            })
            .OrderByDescending(r => r.Score)
            .ThenByDescending(r => r.Relevance)];
    }
}

/// <summary>A recalled memory with its score and the components of the score.</summary>
public sealed record RankedMemory(MemoryRecord Memory, double Score, double Relevance, double Recency, double Importance);
