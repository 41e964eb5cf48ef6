using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting;

/// <summary>Adds parameters and connection strings to existing services.</summary>
public static class ParameterResourceBuilderExtensions
{
    /// <summary>
    /// Adds a parameter read from configuration <c>Parameters:NAME</c>. A secret one with no value is generated on first
    /// run (22 characters) and saved to the app host's user secrets; the manifest asks the deployment to generate it too.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddParameter(this DistributedApplicationBuilder builder, string name, bool secret = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddResource(new ParameterResource(name, secret)
        {
            Generate = secret ? new GenerateParameterDefault(MinLength: 22, Special: false) : null,
        });
    }

    /// <summary>
    /// Adds a connection string to a service that runs elsewhere, read from <c>ConnectionStrings:NAME</c> and injected
    /// by <c>WithReference</c> as <c>ConnectionStrings__NAME</c>.
    /// </summary>
    public static IResourceBuilder<ConnectionStringParameterResource> AddConnectionString(this DistributedApplicationBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddResource(new ConnectionStringParameterResource(name));
    }

    internal static ParameterResource AddGeneratedSecret(this DistributedApplicationBuilder builder, string name) =>
        builder.AddResource(new ParameterResource(name, secret: true) { Generate = new GenerateParameterDefault(MinLength: 22, Special: false) }).Resource;
}
