using System.ComponentModel.DataAnnotations;

namespace Jarvis.Api.Quotas;

/// <summary>Per-user LLM token budgets (section <c>Jarvis:Quotas</c>). Off unless <see cref="DailyTokensPerUser"/> is set.</summary>
public sealed class QuotaOptions
{
    /// <summary>
    /// The LLM tokens (prompt and completion) each user may use per UTC day; null, the default, for no limit. Counted
    /// durably in Jarvis.Memory; a user past it gets a 429 until the next UTC midnight.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long? DailyTokensPerUser { get; set; }

    /// <summary>
    /// Whether <c>llm_tokens_total</c> carries a <c>user</c> label. Off by default: one series per user is unbounded
    /// cardinality for a metrics backend; turn it on only for a known, small set of users.
    /// </summary>
    public bool TokenMetricUserLabel { get; set; }
}
