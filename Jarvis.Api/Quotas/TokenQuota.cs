using System.Diagnostics.Metrics;
using Jarvis.Api.Memory;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.Quotas;

/// <summary>
/// Counts every LLM turn's tokens (<c>llm_tokens_total</c>) and, when <c>Jarvis:Quotas:DailyTokensPerUser</c> is set,
/// keeps each user within it: the count of the user's UTC day lives in Jarvis.Memory, so it survives restarts and is
/// shared by every Api replica. A turn is refused once the count has reached the limit; the turn that crosses it is
/// answered in full. With Memory unavailable turns go on: the budget is a guard on cost, not on access.
/// </summary>
public sealed partial class TokenQuota
{
    private readonly MemoryClient _memory;
    private readonly MemoryAvailability _availability;
    private readonly QuotaOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TokenQuota> _logger;
    private readonly Counter<long> _tokens;

    /// <summary>Creates the quota and its counter on meter <c>Jarvis.Api</c>.</summary>
    public TokenQuota(MemoryClient memory, MemoryAvailability availability, IOptions<QuotaOptions> options, TimeProvider time, IMeterFactory meterFactory, ILogger<TokenQuota> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _memory = memory;
        _availability = availability;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _tokens = meterFactory.Create("Jarvis.Api").CreateCounter<long>("llm_tokens_total", "{token}", "LLM tokens used by chat turns, by type (input, output).");
    }

    /// <summary>Throws <see cref="QuotaExceededException"/> when <paramref name="userId"/> has no tokens left today.</summary>
    public async Task EnsureAvailableAsync(string userId, CancellationToken cancellationToken)
    {
        if (_options.DailyTokensPerUser is not { } limit || !_availability.ShouldTry())
        {
            return;
        }

        var now = _time.GetUtcNow();
        long used;
        try
        {
            used = await _memory.GetTokenUsageAsync(userId, DateOnly.FromDateTime(now.UtcDateTime), cancellationToken);
            _availability.Succeeded();
        }
        catch (Exception e) when (e is MemoryUnavailableException or HttpRequestException)
        {
            // Logged once by the availability, not once per turn.
            _availability.Failed(e.Message);
            return;
        }

        if (used >= limit)
        {
            throw new QuotaExceededException(limit, used, now);
        }
    }

    /// <summary>Counts a turn's tokens: the metric always, the user's day when quotas are on.</summary>
    public async Task CountAsync(string userId, long inputTokens, long outputTokens, CancellationToken cancellationToken)
    {
        Add(userId, "input", inputTokens);
        Add(userId, "output", outputTokens);
        if (_options.DailyTokensPerUser is null || inputTokens + outputTokens <= 0)
        {
            return;
        }

        try
        {
            await _memory.AddTokenUsageAsync(userId, DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime), inputTokens + outputTokens, cancellationToken);
        }
        catch (Exception e) when (e is MemoryUnavailableException or HttpRequestException)
        {
            // The reply is given; its tokens go uncounted rather than the turn failing.
            _availability.Failed(e.Message);
            LogUncounted(_logger, inputTokens + outputTokens, e.Message);
        }
    }

    private void Add(string userId, string type, long tokens)
    {
        if (tokens <= 0)
        {
            return;
        }

        if (_options.TokenMetricUserLabel)
        {
            _tokens.Add(tokens, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("user", userId));
        }
        else
        {
            _tokens.Add(tokens, new KeyValuePair<string, object?>("type", type));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Tokens} tokens of a turn could not be counted against the quota: {Reason}")]
    private static partial void LogUncounted(ILogger logger, long tokens, string reason);
}
