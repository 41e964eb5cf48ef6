using Jarvis.ServiceDefaults.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.Logging;

internal static class LoggingExtensions
{
    /// <summary>
    /// JSON lines in Production, readable lines in Development, unless <c>Logging:Console:FormatterName</c> says
    /// otherwise; with <c>Logging:File:Path</c>, the same JSON lines in a daily file too (14 kept). Every record is
    /// scrubbed of secrets before any provider sees it. This runs on the builder, so it is in place before the first
    /// logger is created.
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

        // Off by default: in a container stdout is the log (the Kubernetes profile: leave Logging:File:Path unset).
        var file = builder.Configuration.GetSection("Logging:File").Get<FileLogOptions>() ?? new FileLogOptions();
        if (!string.IsNullOrWhiteSpace(file.Path))
        {
            if (file.RetainedFiles < 1)
            {
                throw new InvalidOperationException("Logging:File:RetainedFiles must be at least 1.");
            }

            var path = Path.GetFullPath(file.Path, builder.Environment.ContentRootPath);
            builder.Services.AddSingleton<ILoggerProvider>(sp => new FileLoggerProvider(path, file.RetainedFiles,
                new JsonLogFormatter(sp.GetRequiredService<IOptionsMonitor<JarvisConsoleFormatterOptions>>(), sp.GetRequiredService<TimeProvider>())));
        }
    }
}
