using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Jarvis.Tests.AppHost;

/// <summary>The app host's model as its Program composes it for the given arguments, built but never started.</summary>
public static class AppHostModel
{
    public static async Task<IDistributedApplicationTestingBuilder> ComposeAsync(CancellationToken cancellationToken, params string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.Jarvis_AppHost>(args, cancellationToken);

    /// <summary>The pid of the process DCP started for a project resource, from its <c>executable.pid</c> property.</summary>
    public static int ProcessId(this ResourceEvent resource) =>
        Convert.ToInt32(resource.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value, CultureInfo.InvariantCulture);

    public static T Resource<T>(this IDistributedApplicationTestingBuilder builder, string name) where T : IResource =>
        Assert.IsType<T>(Assert.Single(builder.Resources, r => r.Name == name), exactMatch: false);

    /// <summary>A project's environment as publish mode writes it: the manifest expressions, such as <c>{qdrant.connectionString}</c>.</summary>
    public static async Task<Dictionary<string, string>> PublishedEnvironmentAsync(this IDistributedApplicationTestingBuilder builder, string project)
    {
        var resource = builder.Resource<ProjectResource>(project);
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), resource, [], CancellationToken.None);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return context.EnvironmentVariables.ToDictionary(
            kv => kv.Key,
            kv => kv.Value switch
            {
                string text => text,
                IManifestExpressionProvider expression => expression.ValueExpression,
                var other => other.ToString() ?? "",
            });
    }
}
