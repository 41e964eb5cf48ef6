namespace Jarvis.Api.Voice;

/// <summary>
/// The typed client of Jarvis.Voice. Voice turns (speech in, speech out) come with the voice issue; for now the Api
/// watches whether the service answers, so readiness and <c>service_*</c> metrics cover every dependency.
/// </summary>
public sealed class VoiceClient(HttpClient httpClient)
{
    private readonly HttpClient _httpClient = httpClient ?? throw new ArgumentNullException(nameof(httpClient));

    /// <summary>Null when Jarvis.Voice answers <c>GET /alive</c>; otherwise why not, in words a person can act on.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<string?> CheckAliveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await _httpClient.GetAsync(new Uri("alive", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"Voice at {_httpClient.BaseAddress} answered {(int)response.StatusCode} to GET /alive.";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return $"Voice at {_httpClient.BaseAddress} cannot be reached: {e.Message}";
        }
    }
}
