using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Jarvis.ServiceDefaults.Metrics;

/// <summary>The Prometheus scraping endpoint, <c>/metrics</c> (section <c>Metrics:Prometheus</c>).</summary>
public sealed class PrometheusOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Metrics:Prometheus";

    /// <summary>Whether <c>/metrics</c> is served; true by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Loopback and the private ranges, where a Prometheus next to the service or in the same cluster scrapes it.</summary>
    public static readonly IReadOnlyList<string> DefaultNetworks = ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];

    /// <summary>
    /// The networks (CIDR) a scraper may call from; others get 403. Empty means <see cref="DefaultNetworks"/> (a default
    /// list here would be appended to by configuration binding, not replaced).
    /// </summary>
    public IList<string> AllowedNetworks { get; set; } = [];

    /// <summary>The networks in force, parsed.</summary>
    internal IReadOnlyList<IPNetwork> Networks => [.. (AllowedNetworks.Count > 0 ? AllowedNetworks.AsEnumerable() : DefaultNetworks).Select(n => IPNetwork.Parse(n.Trim()))];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in AllowedNetworks)
        {
            if (!IPNetwork.TryParse(network?.Trim(), out _))
            {
                yield return new ValidationResult(
                    $"{SectionName}:AllowedNetworks has '{network}', which is not a network in CIDR form such as 10.0.0.0/8.",
                    [nameof(AllowedNetworks)]);
            }
        }
    }
}
