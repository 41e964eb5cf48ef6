using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting.Testing;

/// <summary>Reaching the resources of a started application from a test.</summary>
public static class DistributedApplicationTestingExtensions
{
    /// <summary>The URL of a resource's endpoint.</summary>
    public static Uri GetEndpoint(this DistributedApplication application, string resourceName, string endpointName = "http")
    {
        ArgumentNullException.ThrowIfNull(application);
        var resource = application.Services.GetModel().Find(resourceName);
        var allocated = new EndpointReference(resource, endpointName).Endpoint.Allocated
            ?? throw new InvalidOperationException($"The endpoint '{endpointName}' of '{resourceName}' is not allocated: start the application first.");
        return new Uri(allocated.Url);
    }

    /// <summary>An HTTP client whose base address is the resource's endpoint.</summary>
    public static HttpClient CreateHttpClient(this DistributedApplication application, string resourceName, string endpointName = "http") =>
        new() { BaseAddress = application.GetEndpoint(resourceName, endpointName) };

    private static DistributedApplicationModel GetModel(this IServiceProvider services) =>
        (DistributedApplicationModel)services.GetService(typeof(DistributedApplicationModel))!;
}
