using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Jarvis.Api.Memory;

/// <summary>
/// A typed <see cref="HttpClient"/> client of Jarvis.Memory's HTTP API. Every call is scoped to one user. When the service
/// cannot be reached, times out or answers 5xx, calls throw <see cref="MemoryUnavailableException"/> so that callers can
/// degrade gracefully (the turn succeeds without memory); a 4xx (bad input) is an <see cref="HttpRequestException"/>.
/// </summary>
public sealed class MemoryClient(HttpClient httpClient)
{
    /// <summary>The relevance (cosine similarity, 0..1) a memory needs for <see cref="ForgetAsync"/> to delete it.</summary>
    public const double DefaultForgetRelevance = 0.35;

    /// <summary>
    /// The share of the best match's relevance a memory also needs for <see cref="ForgetAsync"/> to delete it, so that a
    /// query forgets what it is clearly about and not what merely resembles it (embedders differ in their baseline).
    /// </summary>
    public const double ForgetRelativeRelevance = 0.75;

    /// <summary>How many of the best matches <see cref="ForgetAsync"/> considers.</summary>
    public const int ForgetCandidates = 20;

    private readonly HttpClient _httpClient = httpClient ?? throw new ArgumentNullException(nameof(httpClient));

    /// <summary>Answers when Jarvis.Memory is alive (<c>GET /alive</c>); throws <see cref="MemoryUnavailableException"/> otherwise.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task CheckAliveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await _httpClient.GetAsync(new Uri("alive", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new MemoryUnavailableException($"Memory at {_httpClient.BaseAddress} answered {(int)response.StatusCode} to GET /alive.");
            }
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw new MemoryUnavailableException($"Memory at {_httpClient.BaseAddress} cannot be reached: {e.Message}", e);
        }
    }

    /// <summary>Stores a memory for <paramref name="userId"/> and returns its id.</summary>
    /// <param name="userId">The owner of the memory.</param>
    /// <param name="text">What to remember.</param>
    /// <param name="kind"><c>fact</c> (default), <c>preference</c> or <c>episode</c>.</param>
    /// <param name="importance">0..1, default 0.5.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<Guid> RememberAsync(string userId, string text, string? kind = null, double? importance = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var stored = await SendAsync<StoreResponse>(
            () => new HttpRequestMessage(HttpMethod.Post, "api/memories") { Content = JsonContent.Create(new StoreRequest(userId, text, kind, importance)) },
            cancellationToken).ConfigureAwait(false);
        return stored.Id;
    }

    /// <summary>The user's memories that best match <paramref name="query"/>, best first.</summary>
    /// <param name="userId">The owner of the memories.</param>
    /// <param name="query">What to look for.</param>
    /// <param name="limit">How many results at most (1..100).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<MemoryHit>> RecallAsync(string userId, string query, int limit = 5, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 100);
        var found = await SendAsync<SearchResponse>(
            () => new HttpRequestMessage(HttpMethod.Post, "api/memories/search") { Content = JsonContent.Create(new SearchRequest(userId, query, limit)) },
            cancellationToken).ConfigureAwait(false);
        return found.Results ?? [];
    }

    /// <summary>
    /// Searches the user's memories for <paramref name="query"/> and deletes the matches whose relevance (the cosine
    /// similarity, not the overall score, which recency and importance inflate) is at least <paramref name="minRelevance"/>
    /// and at least <see cref="ForgetRelativeRelevance"/> of the best match's. Returns the memories that were forgotten.
    /// </summary>
    /// <param name="userId">The owner of the memories.</param>
    /// <param name="query">What to forget.</param>
    /// <param name="minRelevance">The relevance a memory needs to be deleted.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<MemoryHit>> ForgetAsync(string userId, string query, double minRelevance = DefaultForgetRelevance, CancellationToken cancellationToken = default)
    {
        var hits = await RecallAsync(userId, query, ForgetCandidates, cancellationToken).ConfigureAwait(false);
        var threshold = Math.Max(minRelevance, hits.Count == 0 ? 0 : hits.Max(h => h.Relevance) * ForgetRelativeRelevance);
        var forgotten = new List<MemoryHit>();
        foreach (var hit in hits.Where(h => h.Relevance >= threshold))
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"api/memories/{hit.Id}?userId={Uri.EscapeDataString(userId)}");
            using var response = await SendCoreAsync(() => new HttpRequestMessage(HttpMethod.Delete, path), cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                continue; // Already gone: forgotten either way, but not by us.
            }

            await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
            forgotten.Add(hit);
        }

        return forgotten;
    }

    /// <summary>Appends a turn to a user's conversation and returns its sequence number (from 1).</summary>
    /// <param name="userId">The owner of the conversation.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="role"><c>user</c>, <c>assistant</c>, <c>system</c> or <c>tool</c>.</param>
    /// <param name="text">What was said.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<long> AppendTurnAsync(string userId, string conversationId, string role, string text, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var turn = await SendAsync<MemoryTurn>(
            () => new HttpRequestMessage(HttpMethod.Post, $"api/conversations/{Uri.EscapeDataString(conversationId)}/turns")
            {
                Content = JsonContent.Create(new AppendTurnRequest(userId, role, text)),
            },
            cancellationToken).ConfigureAwait(false);
        return turn.Sequence;
    }

    /// <summary>
    /// Appends turns of any users' conversations in one request, all of them or none, in order; returns their sequence
    /// numbers in the same order.
    /// </summary>
    /// <param name="turns">The turns (1..200).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<long>> AppendTurnsAsync(IReadOnlyList<MemoryTurnToAppend> turns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turns);
        var appended = await SendAsync<TurnsResponse>(
            () => new HttpRequestMessage(HttpMethod.Post, "api/turns") { Content = JsonContent.Create(new AppendTurnsRequest(turns)) },
            cancellationToken).ConfigureAwait(false);
        return appended.Turns is { } list && list.Count == turns.Count
            ? [.. list.Select(t => t.Sequence)]
            : throw new MemoryUnavailableException(_httpClient.BaseAddress, "Jarvis.Memory did not answer one turn for each turn appended.");
    }

    /// <summary>The last <paramref name="last"/> turns of a user's conversation, oldest first.</summary>
    /// <param name="userId">The owner of the conversation.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="last">How many turns at most (1..500).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<MemoryTurn>> GetTurnsAsync(string userId, string conversationId, int last = 20, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        ArgumentOutOfRangeException.ThrowIfLessThan(last, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(last, 500);
        var path = string.Create(
            CultureInfo.InvariantCulture,
            $"api/conversations/{Uri.EscapeDataString(conversationId)}/turns?userId={Uri.EscapeDataString(userId)}&last={last}");
        var turns = await SendAsync<TurnsResponse>(() => new HttpRequestMessage(HttpMethod.Get, path), cancellationToken).ConfigureAwait(false);
        return turns.Turns ?? [];
    }

    /// <summary>The LLM tokens <paramref name="userId"/> has used on the UTC day <paramref name="day"/>.</summary>
    public async Task<long> GetTokenUsageAsync(string userId, DateOnly day, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        var usage = await SendAsync<UsageResponse>(() => new HttpRequestMessage(HttpMethod.Get, UsagePath(userId, day)), cancellationToken).ConfigureAwait(false);
        return usage.Tokens;
    }

    /// <summary>Adds <paramref name="tokens"/> to the user's count for the UTC day <paramref name="day"/>; returns the new count.</summary>
    public async Task<long> AddTokenUsageAsync(string userId, DateOnly day, long tokens, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        var usage = await SendAsync<UsageResponse>(
            () => new HttpRequestMessage(HttpMethod.Post, UsagePath(userId, day)) { Content = JsonContent.Create(new AddTokensRequest(tokens)) },
            cancellationToken).ConfigureAwait(false);
        return usage.Tokens;
    }

    private static string UsagePath(string userId, DateOnly day) =>
        string.Create(CultureInfo.InvariantCulture, $"api/users/{Uri.EscapeDataString(userId)}/usage/{day:yyyy-MM-dd}");

    /// <summary>The user's conversations, the most recently active first.</summary>
    /// <param name="userId">The owner of the conversations.</param>
    /// <param name="limit">How many at most (1..500).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<MemoryConversation>> ListConversationsAsync(string userId, int limit = 50, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        var path = string.Create(CultureInfo.InvariantCulture, $"api/users/{Uri.EscapeDataString(userId)}/conversations?limit={limit}");
        var list = await SendAsync<ConversationsResponse>(() => new HttpRequestMessage(HttpMethod.Get, path), cancellationToken).ConfigureAwait(false);
        return list.Conversations ?? [];
    }

    /// <summary>The user's memories, newest first, every page of them up to <paramref name="max"/>.</summary>
    /// <param name="userId">The owner of the memories.</param>
    /// <param name="max">How many at most.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<MemoryItem>> ListMemoriesAsync(string userId, int max = 500, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        var items = new List<MemoryItem>();
        string? cursor = null;
        do
        {
            var path = $"api/memories?userId={Uri.EscapeDataString(userId)}&limit=100" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await SendAsync<MemoryPageResponse>(() => new HttpRequestMessage(HttpMethod.Get, path), cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items ?? []);
            cursor = page.NextCursor;
        }
        while (cursor is not null && items.Count < max);

        return items.Count <= max ? items : items.GetRange(0, max);
    }

    /// <summary>Deletes one memory of the user; false when there is none.</summary>
    /// <param name="userId">The owner of the memory.</param>
    /// <param name="id">The memory.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<bool> DeleteMemoryAsync(string userId, Guid id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        var path = string.Create(CultureInfo.InvariantCulture, $"api/memories/{id}?userId={Uri.EscapeDataString(userId)}");
        using var response = await SendCoreAsync(() => new HttpRequestMessage(HttpMethod.Delete, path), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Everything remembered about the user, as Jarvis.Memory exports it (JSON).</summary>
    /// <param name="userId">The owner of the memories.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<byte[]> ExportAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        using var response = await SendCoreAsync(() => new HttpRequestMessage(HttpMethod.Get, $"api/users/{Uri.EscapeDataString(userId)}/export"), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets everything about the user (memories and conversations); returns how many memories went.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<long> ForgetEverythingAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        var forgotten = await SendAsync<ForgetEverythingResponse>(
            () => new HttpRequestMessage(HttpMethod.Delete, $"api/users/{Uri.EscapeDataString(userId)}/memories"), cancellationToken).ConfigureAwait(false);
        return forgotten.Deleted;
    }

    private async Task<T> SendAsync<T>(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(cancellationToken).ConfigureAwait(false)
                ?? throw new MemoryUnavailableException(_httpClient.BaseAddress, "Jarvis.Memory answered an empty body.");
        }
        catch (JsonException exception)
        {
            throw new MemoryUnavailableException(_httpClient.BaseAddress, "Jarvis.Memory answered a body that is not the expected JSON.", exception);
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        using var message = request();
        try
        {
            return await _httpClient.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsUnreachable(exception, cancellationToken))
        {
            throw new MemoryUnavailableException(_httpClient.BaseAddress, $"Jarvis.Memory could not be reached: {exception.Message}", exception);
        }
    }

    // Connection failures (HttpRequestException, also for a service name nothing resolves), timeouts
    // (TaskCanceledException not caused by the caller, Polly's TimeoutRejectedException) and an open circuit
    // (BrokenCircuitException) all mean the same to a caller: memory is unavailable. The caller's own cancellation
    // and programming errors pass through.
    private static bool IsUnreachable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        ArgumentException or NullReferenceException or ObjectDisposedException => false,
        _ => true,
    };

    private async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await ReadSnippetAsync(response, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            throw new MemoryUnavailableException(
                _httpClient.BaseAddress,
                string.Create(CultureInfo.InvariantCulture, $"Jarvis.Memory answered {status} {response.ReasonPhrase}: {body}"),
                statusCode: response.StatusCode);
        }

        throw new HttpRequestException(
            string.Create(CultureInfo.InvariantCulture, $"Jarvis.Memory rejected the request with {status} {response.ReasonPhrase}: {body}"),
            inner: null,
            response.StatusCode);
    }

    private static async Task<string> ReadSnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return body.Length <= 500 ? body : body[..500] + "…";
        }
        catch (HttpRequestException)
        {
            return "(no body)";
        }
    }

    private sealed record StoreRequest(string UserId, string Text, string? Kind, double? Importance);

    private sealed record StoreResponse(Guid Id, DateTimeOffset CreatedAt, string? Embedder);

    private sealed record SearchRequest(string UserId, string Query, int Limit);

    private sealed record SearchResponse(string? Embedder, IReadOnlyList<MemoryHit>? Results);

    private sealed record AppendTurnRequest(string UserId, string Role, string Text);

    private sealed record AppendTurnsRequest(IReadOnlyList<MemoryTurnToAppend> Turns);

    private sealed record TurnsResponse(string? ConversationId, IReadOnlyList<MemoryTurn>? Turns);

    private sealed record ConversationsResponse(IReadOnlyList<MemoryConversation>? Conversations);

    private sealed record MemoryPageResponse(IReadOnlyList<MemoryItem>? Items, string? NextCursor);

    private sealed record ForgetEverythingResponse(long Deleted);

    private sealed record AddTokensRequest(long Tokens);

    private sealed record UsageResponse(long Tokens);
}

/// <summary>One recalled memory: its text, overall score (0..1, best first) and the score's components.</summary>
/// <param name="Id">The memory's id.</param>
/// <param name="Text">What was remembered.</param>
/// <param name="Kind"><c>fact</c>, <c>preference</c> or <c>episode</c>.</param>
/// <param name="CreatedAt">When it was stored.</param>
/// <param name="Score">The overall retrieval score.</param>
/// <param name="Relevance">The cosine similarity to the query (0..1).</param>
/// <param name="Recency">How recently it was stored or recalled (0..1).</param>
/// <param name="Importance">Its importance (0..1).</param>
public sealed record MemoryHit(Guid Id, string Text, string? Kind, DateTimeOffset CreatedAt, double Score, double Relevance, double Recency, double Importance);

/// <summary>One turn of a conversation as Jarvis.Memory stores it.</summary>
/// <param name="Sequence">Its position in the conversation, from 1.</param>
/// <param name="Role">Who spoke: <c>user</c>, <c>assistant</c>, <c>system</c> or <c>tool</c>.</param>
/// <param name="Text">What was said.</param>
/// <param name="CreatedAt">When it was recorded.</param>
public sealed record MemoryTurn(long Sequence, string Role, string Text, DateTimeOffset CreatedAt);

/// <summary>A turn to append to a user's conversation (<see cref="MemoryClient.AppendTurnsAsync"/>).</summary>
/// <param name="UserId">The owner of the conversation.</param>
/// <param name="ConversationId">The conversation.</param>
/// <param name="Role">Who spoke: <c>user</c>, <c>assistant</c>, <c>system</c> or <c>tool</c>.</param>
/// <param name="Text">What was said.</param>
public sealed record MemoryTurnToAppend(string UserId, string ConversationId, string Role, string Text);

/// <summary>A conversation in a list: its first user message as title, its last activity, its number of turns.</summary>
public sealed record MemoryConversation(string ConversationId, string Title, DateTimeOffset UpdatedAt, long Turns);

/// <summary>One remembered thing, as the memory panel lists it.</summary>
public sealed record MemoryItem(Guid Id, string Text, string? Kind, DateTimeOffset CreatedAt);
