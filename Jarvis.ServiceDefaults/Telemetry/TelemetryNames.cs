namespace Jarvis.ServiceDefaults.Telemetry;

/// <summary>The activity sources and meters every service exports.</summary>
internal static class TelemetryNames
{
    public static readonly string[] ActivitySources = ["Microsoft.AspNetCore", "System.Net.Http", "Jarvis.*"];

    public static readonly string[] Meters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "System.Net.Http",
        "System.Runtime",
        "Jarvis.*",
    ];
}
