using System.Text.Json;
using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting;

/// <summary>Adds .NET projects of the repository.</summary>
public static class ProjectResourceBuilderExtensions
{
    /// <summary>
    /// Adds a project (<c>Projects.Jarvis_Api</c>, generated from the app host's project references). Its <c>http</c>
    /// endpoint takes the port and environment of the project's <c>http</c> launch profile, as Aspire does.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this DistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() => builder.AddProject(name, new TProject());

    /// <summary>Adds a project from its metadata.</summary>
    public static IResourceBuilder<ProjectResource> AddProject(this DistributedApplicationBuilder builder, string name, IProjectMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var project = new ProjectResource(name, metadata);
        var profile = LaunchProfile.Read(metadata.ProjectPath);
        project.Endpoints.Add(new EndpointAnnotation("http", port: profile.HttpPort));

        return builder.AddResource(project).WithEnvironment(context =>
        {
            // What Aspire gives every project: OTLP exporter behaviour in both modes, hosting behind ingress when deployed.
            context.EnvironmentVariables["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true";
            context.EnvironmentVariables["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true";
            context.EnvironmentVariables["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory";
            if (context.ExecutionContext.IsPublishMode)
            {
                context.EnvironmentVariables["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true";
                context.EnvironmentVariables["HTTP_PORTS"] = new EndpointReference(project, "http").Property(EndpointProperty.TargetPort);
                return;
            }

            foreach (var (key, value) in profile.EnvironmentVariables)
            {
                context.EnvironmentVariables[key] = value;
            }
        });
    }

    /// <summary>The <c>http</c> profile of a project's Properties/launchSettings.json.</summary>
    private sealed record LaunchProfile(int? HttpPort, IReadOnlyDictionary<string, string> EnvironmentVariables)
    {
        public static LaunchProfile Read(string projectPath)
        {
            var path = Path.Combine(Path.GetDirectoryName(projectPath)!, "Properties", "launchSettings.json");
            if (!File.Exists(path))
            {
                return new LaunchProfile(null, new Dictionary<string, string>());
            }

            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!document.RootElement.TryGetProperty("profiles", out var profiles) || !profiles.TryGetProperty("http", out var profile))
            {
                return new LaunchProfile(null, new Dictionary<string, string>());
            }

            int? port = null;
            if (profile.TryGetProperty("applicationUrl", out var urls))
            {
                var http = urls.GetString()!.Split(';').Select(u => new Uri(u.Trim())).FirstOrDefault(u => u.Scheme == "http");
                port = http?.Port;
            }

            var environment = new Dictionary<string, string>();
            if (profile.TryGetProperty("environmentVariables", out var variables))
            {
                foreach (var variable in variables.EnumerateObject())
                {
                    environment[variable.Name] = variable.Value.GetString() ?? "";
                }
            }

            return new LaunchProfile(port, environment);
        }
    }
}
