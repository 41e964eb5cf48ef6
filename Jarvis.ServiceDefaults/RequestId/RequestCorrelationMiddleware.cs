using System.Globalization;
using Jarvis.ServiceDefaults.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.RequestId;

/// <summary>
/// Gives every request one id (a safe incoming <c>X-Request-ID</c>, or a new one), echoes it with
/// <c>X-Response-Time</c>, puts it and the request's basics in a logging scope and on the server span, and writes one
/// <c>request served</c> record per request, a warning when it was slow.
/// </summary>
internal sealed class RequestCorrelationMiddleware(
    RequestDelegate next,
    ILogger<RequestCorrelationMiddleware> logger,
    IOptionsMonitor<RequestLoggingOptions> options,
    TimeProvider timeProvider)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = timeProvider.GetTimestamp();
        var incoming = context.Request.Headers[RequestIds.HeaderName].ToString();
        var requestId = RequestIds.IsSafe(incoming) ? incoming : RequestIds.New();
        var scope = new RequestLogScope(
            requestId,
            context.Request.Method,
            context.Request.Path.Value ?? "/",
            context.Connection.RemoteIpAddress?.ToString());

        context.Features.Set(new RequestCorrelationFeature(scope));
        context.TraceIdentifier = requestId;
        if (context.Features.Get<IHttpActivityFeature>()?.Activity is { IsAllDataRequested: true } activity)
        {
            foreach (var (key, value) in scope)
            {
                activity.SetTag(key, value);
            }
        }

        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers[RequestIds.HeaderName] = requestId;
            headers["X-Response-Time"] = ElapsedMilliseconds(started).ToString("0.###", CultureInfo.InvariantCulture) + "ms";
            return Task.CompletedTask;
        });

        using (logger.BeginScope(scope))
        {
            var failed = false;
            try
            {
                await next(context);
            }
            catch
            {
                failed = true;
                throw;
            }
            finally
            {
                LogServed(context, started, failed);
            }
        }
    }

    private void LogServed(HttpContext context, long started, bool failed)
    {
        var latency = Math.Round(ElapsedMilliseconds(started), 3);
        var status = (failed, context.Response.HasStarted, context.RequestAborted.IsCancellationRequested) switch
        {
            (_, false, true) => 499, // the client went away first (nginx's convention)
            (true, false, _) => 500, // the server will answer 500 for the exception
            _ => context.Response.StatusCode,
        };

        if (latency > options.CurrentValue.SlowRequestThreshold.TotalMilliseconds)
        {
            ServiceDefaultsLog.SlowRequest(logger, context.Request.Method, context.Request.Path.Value, status, latency);
        }
        else if (HealthEndpoints.IsProbe(context.Request.Path))
        {
            ServiceDefaultsLog.ProbeServed(logger, context.Request.Method, context.Request.Path.Value, status, latency);
        }
        else
        {
            ServiceDefaultsLog.RequestServed(logger, context.Request.Method, context.Request.Path.Value, status, latency);
        }
    }

    private double ElapsedMilliseconds(long started) => timeProvider.GetElapsedTime(started).TotalMilliseconds;
}
