using Jarvis.Voice.Services;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.Voice;

/// <summary>Jarvis.Voice hosted in-process on the machine's engines, with <c>settings</c> layered over its configuration.</summary>
public sealed class VoiceApiFactory(IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<VoiceTelemetry>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.ClearProviders());
    }
}
