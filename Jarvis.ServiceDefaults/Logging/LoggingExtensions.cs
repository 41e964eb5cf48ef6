using Jarvis.ServiceDefaults.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Jarvis.ServiceDefaults.Logging;

internal static class LoggingExtensions
{
    /// <summary>
    /// JSON lines in Production, readable lines in Development, unless <c>Logging:Console:FormatterName</c> says
    /// otherwise; every record scrubbed of secrets before any provider sees it. This runs on the builder, so it is
    /// in place before the first logger is created.
    /// </summary>
    public static void ConfigureStructuredLogging(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);

        // Sinks take the trace context from the current activity; the activity-tracking scope would only repeat it.
        builder.Logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.None);

        builder.Logging.AddConsole();
        builder.Logging.AddConsoleFormatter<JsonLogFormatter, JarvisConsoleFormatterOptions>();
        builder.Logging.AddConsoleFormatter<TextLogFormatter, JarvisConsoleFormatterOptions>();

        var defaultFormatter = builder.Environment.IsDevelopment() ? TextLogFormatter.FormatterName : JsonLogFormatter.FormatterName;
        builder.Services.PostConfigure<ConsoleLoggerOptions>(options => options.FormatterName ??= defaultFormatter);

        var serviceName = TelemetryResource.ServiceName(builder.Configuration, builder.Environment);
        builder.Services.PostConfigure<JarvisConsoleFormatterOptions>(options => options.Component ??= serviceName);

        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory, ScrubbingLoggerFactory>());
    }
}
