using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Jarvis.ServiceDefaults.RequestId;

internal static class RequestCorrelationExtensions
{
    public static void AddRequestCorrelation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RequestLoggingOptions>()
            .BindConfiguration("RequestLogging")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<IStartupFilter, RequestCorrelationStartupFilter>();

        // Problem details (when a service adds them) carry the request id, so a user can quote it.
        builder.Services.PostConfigure<ProblemDetailsOptions>(options =>
        {
            var customize = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                customize?.Invoke(context);
                context.ProblemDetails.Extensions["requestId"] = context.HttpContext.GetRequestId();
            };
        });
    }

    private sealed class RequestCorrelationStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<RequestCorrelationMiddleware>();
            next(app);
        };
    }
}
