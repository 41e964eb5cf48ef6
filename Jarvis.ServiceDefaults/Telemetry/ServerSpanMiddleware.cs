using System.Diagnostics;
using System.Globalization;
using Jarvis.ServiceDefaults.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Jarvis.ServiceDefaults.Telemetry;

/// <summary>
/// Completes the framework's server span the way the ASP.NET Core instrumentation package would (which we cannot
/// restore): the <c>GET /route</c> name and the HTTP semantic-convention attributes. Health probes are not traced.
/// </summary>
internal sealed class ServerSpanMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var activity = context.Features.Get<IHttpActivityFeature>()?.Activity;
        if (activity is null)
        {
            await next(context);
            return;
        }

        if (HealthEndpoints.IsProbe(context.Request.Path))
        {
            // What the instrumentation package's filter does: the span and its children are neither recorded nor exported.
            activity.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            await next(context);
            return;
        }

        try
        {
            await next(context);
        }
        catch (Exception exception) when (activity.IsAllDataRequested)
        {
            activity.AddException(exception);
            activity.SetStatus(ActivityStatusCode.Error, exception.GetType().FullName);
            throw;
        }
        finally
        {
            if (activity.IsAllDataRequested)
            {
                Enrich(activity, context);
            }
        }
    }

    private static void Enrich(Activity activity, HttpContext context)
    {
        var request = context.Request;
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        activity.DisplayName = route is null ? request.Method : $"{request.Method} {route}";

        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", request.Path.Value);
        activity.SetTag("server.address", request.Host.Host);
        if (request.Host.Port is { } port)
        {
            activity.SetTag("server.port", port);
        }

        activity.SetTag("network.protocol.version", request.Protocol.Replace("HTTP/", "", StringComparison.Ordinal));
        if (request.Headers.UserAgent.ToString() is { Length: > 0 } userAgent)
        {
            activity.SetTag("user_agent.original", userAgent);
        }
        if (route is not null)
        {
            activity.SetTag("http.route", route);
        }

        var status = context.Response.StatusCode;
        activity.SetTag("http.response.status_code", status);
        if (status >= 500)
        {
            activity.SetStatus(ActivityStatusCode.Error);
            activity.SetTag("error.type", status.ToString(CultureInfo.InvariantCulture));
        }
    }
}
