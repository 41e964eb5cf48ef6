namespace Jarvis.ServiceDefaults.RequestId;

/// <summary>The correlation state of the current request, kept in <see cref="Microsoft.AspNetCore.Http.HttpContext.Features"/>.</summary>
internal sealed class RequestCorrelationFeature(RequestLogScope scope)
{
    public RequestLogScope Scope { get; } = scope;
}
