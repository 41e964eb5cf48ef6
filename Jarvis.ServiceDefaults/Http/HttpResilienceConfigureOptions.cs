using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.Http;

/// <summary>
/// Binds <c>HttpResilience</c> for every client, then <c>HttpResilience:Clients:NAME</c> over it, onto the standard
/// pipeline options of client NAME (named <c>NAME-standard</c>, as Microsoft.Extensions.Http.Resilience names them).
/// </summary>
internal sealed class HttpResilienceConfigureOptions(IConfiguration configuration) : IConfigureNamedOptions<HttpStandardResilienceOptions>
{
    public const string SectionName = "HttpResilience";

    private const string Suffix = "-standard";

    private const string ClientsKey = "Clients";

    private static readonly HashSet<string> s_strategies = new(StringComparer.OrdinalIgnoreCase)
    {
        nameof(HttpStandardResilienceOptions.RateLimiter),
        nameof(HttpStandardResilienceOptions.TotalRequestTimeout),
        nameof(HttpStandardResilienceOptions.Retry),
        nameof(HttpStandardResilienceOptions.CircuitBreaker),
        nameof(HttpStandardResilienceOptions.AttemptTimeout),
    };

    /// <summary>The name of client <paramref name="clientName"/>'s standard pipeline and of its options.</summary>
    public static string OptionsName(string clientName) => clientName + Suffix;

    /// <summary>The client whose options are named <paramref name="optionsName"/>; null for other names.</summary>
    public static string? ClientName(string? optionsName) =>
        optionsName is not null && optionsName.EndsWith(Suffix, StringComparison.Ordinal) ? optionsName[..^Suffix.Length] : null;

    public void Configure(string? name, HttpStandardResilienceOptions options)
    {
        var section = configuration.GetSection(SectionName);
        Bind(name, section, options, shared: true);
        if (ClientName(name) is { Length: > 0 } client)
        {
            Bind(name, section.GetSection(ClientsKey).GetSection(client), options, shared: false);
        }
    }

    public void Configure(HttpStandardResilienceOptions options) => Configure(Options.DefaultName, options);

    private static void Bind(string? name, IConfigurationSection section, HttpStandardResilienceOptions options, bool shared)
    {
        // The binder ignores a key the options lack, and a value on a strategy's key: the keys of our pipeline before
        // Microsoft.Extensions.Http.Resilience (AttemptTimeout=00:00:05, MaxConcurrentRequests, Enabled) would be lost.
        // (Some sources, such as WebHost settings, give a section an empty value of its own.)
        var misplaced = section.GetChildren()
            .Where(child => !string.IsNullOrEmpty(child.Value) || (!s_strategies.Contains(child.Key) && !(shared && child.Key.Equals(ClientsKey, StringComparison.OrdinalIgnoreCase))))
            .Select(child => child.Path)
            .ToList();
        if (misplaced.Count > 0)
        {
            throw new OptionsValidationException(name ?? Options.DefaultName, typeof(HttpStandardResilienceOptions), [
                $"{string.Join(", ", misplaced)}: not a setting of the standard resilience pipeline. Its settings are RateLimiter, TotalRequestTimeout, Retry, CircuitBreaker and AttemptTimeout, as in Microsoft.Extensions.Http.Resilience's HttpStandardResilienceOptions (for example {SectionName}:AttemptTimeout:Timeout)."]);
        }

        section.Bind(options);
    }
}
