using System.ComponentModel.DataAnnotations;

namespace Jarvis.Memory.Memories;

/// <summary>
/// How recall ranks memories (section <c>Memory:Ranking</c>), after the retrieval score of Generative Agents (Park et
/// al., 2023): a weighted sum of relevance, recency and importance, each in [0, 1].
/// </summary>
public sealed class RankingOptions
{
    /// <summary>Weight of relevance: the cosine similarity of the memory to the query (negative counts as 0).</summary>
    [Range(0, 100)]
    public double RelevanceWeight { get; set; } = 1.0;

    /// <summary>Weight of recency: 1 just after the last access, halving every <see cref="RecencyHalfLife"/>.</summary>
    [Range(0, 100)]
    public double RecencyWeight { get; set; } = 1.0;

    /// <summary>Weight of the importance given when the memory was stored.</summary>
    [Range(0, 100)]
    public double ImportanceWeight { get; set; } = 1.0;

    /// <summary>Time for recency to halve. Park et al. decay by 0.995 an hour, a half-life of about 6 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan RecencyHalfLife { get; set; } = TimeSpan.FromDays(6);

    /// <summary>How many of the most similar memories are re-ranked by the full score.</summary>
    [Range(1, 10_000)]
    public int CandidatePool { get; set; } = 100;
}
