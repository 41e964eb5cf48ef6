using System.Text.Json;
using Jarvis.Hosting.ApplicationModel;
using Jarvis.Hosting.Ollama;

namespace Jarvis.Hosting.Publishing;

/// <summary>
/// Writes Aspire's deployment manifest (schema <c>aspire-8.0.json</c>), as Aspire's ManifestPublisher does: projects
/// as <c>project.v0</c> (path relative to the manifest), containers as <c>container.v0</c>, parameters as
/// <c>parameter.v0</c>, Ollama models as <c>value.v0</c>; values that are only known once deployed as expressions.
/// Executables and resources excluded from the manifest are left out.
/// </summary>
public sealed class ManifestWriter(DistributedApplicationModel model)
{
    private static readonly DistributedApplicationExecutionContext s_publishMode = new(isPublishMode: true);

    /// <summary>Writes the manifest for a file at <paramref name="manifestPath"/> (paths in it are relative to its folder).</summary>
    public void Write(Utf8JsonWriter writer, string manifestPath)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var manifestDirectory = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        writer.WriteStartObject();
        writer.WriteString("$schema", "https://json.schemastore.org/aspire-8.0.json");
        writer.WriteStartObject("resources");
        foreach (var resource in model.Resources.Where(r => !r.IsExcludedFromManifest))
        {
            writer.WriteStartObject(resource.Name);
            switch (resource)
            {
                case ProjectResource project:
                    writer.WriteString("type", "project.v0");
                    writer.WriteString("path", RelativePath(manifestDirectory, project.Metadata.ProjectPath));
                    WriteEnvironment(writer, project);
                    WriteBindings(writer, project);
                    break;
                case ContainerResource container:
                    WriteContainer(writer, container, manifestDirectory);
                    break;
                case ParameterResource parameter:
                    WriteParameter(writer, parameter);
                    break;
                case OllamaModelResource modelResource:
                    writer.WriteString("type", "value.v0");
                    writer.WriteString("connectionString", modelResource.ConnectionStringExpression.ValueExpression);
                    break;
                default:
                    throw new DistributedApplicationException($"Resource '{resource.Name}' ({resource.ResourceType}) cannot be written to the manifest; call ExcludeFromManifest() on it.");
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteContainer(Utf8JsonWriter writer, ContainerResource container, string manifestDirectory)
    {
        writer.WriteString("type", "container.v0");
        if (container is IResourceWithConnectionString withConnectionString)
        {
            writer.WriteString("connectionString", withConnectionString.ConnectionStringExpression.ValueExpression);
        }

        writer.WriteString("image", container.ImageReference);
        if (container.Args.Count > 0)
        {
            writer.WriteStartArray("args");
            foreach (var arg in container.Args)
            {
                writer.WriteStringValue(arg is IExpressionValue expression ? expression.ValueExpression : arg.ToString());
            }

            writer.WriteEndArray();
        }

        WriteMounts(writer, "bindMounts", container.Mounts.Where(m => !m.IsVolume), m => ("source", RelativePath(manifestDirectory, m.Source)));
        WriteMounts(writer, "volumes", container.Mounts.Where(m => m.IsVolume), m => ("name", m.Source));
        WriteEnvironment(writer, container);
        WriteBindings(writer, container);
    }

    private static void WriteMounts(Utf8JsonWriter writer, string property, IEnumerable<ContainerMount> mounts, Func<ContainerMount, (string Name, string Value)> source)
    {
        var list = mounts.ToList();
        if (list.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(property);
        foreach (var mount in list)
        {
            writer.WriteStartObject();
            var (name, value) = source(mount);
            writer.WriteString(name, value);
            writer.WriteString("target", mount.Target);
            writer.WriteBoolean("readOnly", mount.IsReadOnly);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteParameter(Utf8JsonWriter writer, ParameterResource parameter)
    {
        writer.WriteString("type", "parameter.v0");
        if (parameter is ConnectionStringParameterResource)
        {
            writer.WriteString("connectionString", parameter.ValueExpression);
        }

        writer.WriteString("value", $"{{{parameter.Name}.inputs.value}}");
        writer.WriteStartObject("inputs");
        writer.WriteStartObject("value");
        writer.WriteString("type", "string");
        if (parameter.Secret)
        {
            writer.WriteBoolean("secret", true);
        }

        if (parameter.Generate is { } generate)
        {
            writer.WriteStartObject("default");
            writer.WriteStartObject("generate");
            writer.WriteNumber("minLength", generate.MinLength);
            if (!generate.Special)
            {
                writer.WriteBoolean("special", false);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteEnvironment(Utf8JsonWriter writer, IResourceWithEnvironment resource)
    {
        var context = new EnvironmentContext(s_publishMode);
        foreach (var callback in resource.EnvironmentCallbacks)
        {
            callback(context);
        }

        if (context.EnvironmentVariables.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("env");
        foreach (var (name, value) in context.EnvironmentVariables)
        {
            writer.WriteString(name, value is IExpressionValue expression ? expression.ValueExpression : value.ToString());
        }

        writer.WriteEndObject();
    }

    private static void WriteBindings(Utf8JsonWriter writer, IResourceWithEndpoints resource)
    {
        if (resource.Endpoints.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("bindings");
        foreach (var endpoint in resource.Endpoints)
        {
            writer.WriteStartObject(endpoint.Name);
            writer.WriteString("scheme", endpoint.Scheme);
            writer.WriteString("protocol", endpoint.Protocol);
            writer.WriteString("transport", endpoint.Transport);

            // A project's port is chosen by the deployment (HTTP_PORTS); a container's is the one its image listens on.
            if (resource is ContainerResource && endpoint.TargetPort is { } targetPort)
            {
                writer.WriteNumber("targetPort", targetPort);
            }

            if (endpoint.IsExternal)
            {
                writer.WriteBoolean("external", true);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static string RelativePath(string manifestDirectory, string path) =>
        Path.GetRelativePath(manifestDirectory, path).Replace('\\', '/');
}
