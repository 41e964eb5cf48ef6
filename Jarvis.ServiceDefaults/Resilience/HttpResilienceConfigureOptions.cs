using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.Resilience;

/// <summary>Binds <c>HttpResilience</c> for every client, then <c>HttpResilience:Clients:NAME</c> over it for the client NAME.</summary>
internal sealed class HttpResilienceConfigureOptions(IConfiguration configuration) : IConfigureNamedOptions<HttpResilienceOptions>
{
    public void Configure(string? name, HttpResilienceOptions options)
    {
        var section = configuration.GetSection(HttpResilienceOptions.SectionName);
        section.Bind(options);
        if (!string.IsNullOrEmpty(name))
        {
            section.GetSection("Clients").GetSection(name).Bind(options);
        }
    }

    public void Configure(HttpResilienceOptions options) => Configure(Options.DefaultName, options);
}
