using System.Globalization;
using Jarvis.Hosting.ApplicationModel;
using Jarvis.Hosting.Dashboard;

namespace Jarvis.Hosting.Orchestration;

public sealed partial class Orchestrator
{
    /// <summary>
    /// The environment a resource starts with: its callbacks' variables evaluated, less those that refer to a resource
    /// that cannot run here; for projects and executables, Aspire's ASPNETCORE_URLS and OTEL_* variables too.
    /// </summary>
    private async Task<(Dictionary<string, string> Values, List<EnvironmentVariableSnapshot> Snapshot)> BuildEnvironmentAsync(Resource resource, CancellationToken cancellationToken)
    {
        var context = new EnvironmentContext(new DistributedApplicationExecutionContext(isPublishMode: false));
        if (resource is ProjectResource or ExecutableResource)
        {
            AddServiceEnvironment(resource, context.EnvironmentVariables);
        }

        foreach (var callback in ((IResourceWithEnvironment)resource).EnvironmentCallbacks)
        {
            callback(context);
        }

        var values = new Dictionary<string, string>();
        var snapshot = new List<EnvironmentVariableSnapshot>();
        foreach (var (name, value) in context.EnvironmentVariables)
        {
            if (value is IExpressionValue expression)
            {
                if (expression.References.FirstOrDefault(_unavailable.Contains) is { } missing)
                {
                    logs.Write(resource.Name, $"Not setting {name}: '{missing.Name}' cannot run here.");
                    continue;
                }

                var text = await expression.GetValueAsync(cancellationToken) ?? "";
                var secret = expression is ParameterResource { Secret: true } or ReferenceExpression { IsSecret: true } or ConnectionStringReference { IsSecret: true };
                values[name] = text;
                snapshot.Add(new EnvironmentVariableSnapshot(name, secret ? "******" : text, secret));
            }
            else
            {
                values[name] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
                snapshot.Add(new EnvironmentVariableSnapshot(name, values[name], IsSecret: false));
            }
        }

        return (values, snapshot);
    }

    private void AddServiceEnvironment(Resource resource, Dictionary<string, object> environment)
    {
        if (resource is ProjectResource project)
        {
            environment["ASPNETCORE_URLS"] = string.Join(';', project.Endpoints.Select(e => e.Allocated!.Url));
        }

        environment["OTEL_SERVICE_NAME"] = resource.Name;
        environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={Guid.NewGuid():N}";

        // Export often, so the dashboard shows a request a second after it happens.
        environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
        environment["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
        environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        environment["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based";
        environment["OTEL_TRACES_SAMPLER"] = "always_on";

        var settings = options.Value;
        var grpc = settings.DashboardOtlpEndpoint ?? Uri(configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] ?? configuration["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"]);
        var http = settings.DashboardOtlpHttpEndpoint ?? Uri(configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] ?? configuration["DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"]);
        var key = settings.OtlpApiKey;

        // No endpoint configured: the Aspire dashboard container receives when it was chosen (and can run), else the app
        // host's own dashboard, when it listens, each with its own key.
        if (grpc is null && http is null)
        {
            if (model.Resources.OfType<AspireDashboardResource>().SingleOrDefault() is { } aspire)
            {
                (http, key) = _unavailable.Contains(aspire) ? (null, null) : (aspire.OtlpHttpUrl, aspire.OtlpApiKey.Value);
            }
            else if (otlp.Endpoint is { } own)
            {
                (http, key) = (own, otlp.ApiKey);
            }
        }

        if ((grpc ?? http) is { } endpoint)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint.ToString().TrimEnd('/');
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = grpc is not null ? "grpc" : "http/protobuf";
            if (key is { Length: > 0 } apiKey)
            {
                environment["OTEL_EXPORTER_OTLP_HEADERS"] = ReferenceExpression.Create($"x-otlp-api-key={new ParameterResource("otlp-api-key", secret: true) { Value = apiKey }}");
            }
        }

        static Uri? Uri(string? value) => value is null ? null : new Uri(value);
    }
}
