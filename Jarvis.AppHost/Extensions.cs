namespace Jarvis.AppHost;

/// <summary>The app host's composition helpers: backing services that may be containers, existing servers, or left out.</summary>
internal static class Extensions
{
    /// <summary>
    /// Starts composing the backing services; see <see cref="BackingServices"/>. A bad setting found while composing
    /// stops the app host with its one-line message and exit code 1, not a stack trace and an abort.
    /// </summary>
    public static BackingServices AddBackingServices(this IDistributedApplicationBuilder builder)
    {
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is AppHostSettingException setting)
            {
                Console.Error.WriteLine($"error: {setting.Message}");
                Environment.Exit(1);
            }
        };

        return new(builder);
    }

    /// <summary>Adds a model of this Ollama backing service.</summary>
    public static BackingService AddModel(this BackingService ollama, string model) => ollama.Services.AddModel(ollama, model);

    /// <summary>References the backing service when this run has it; Qdrant's REST connection string comes with it.</summary>
    public static IResourceBuilder<ProjectResource> WithReference(this IResourceBuilder<ProjectResource> project, BackingService service) => service.Resource switch
    {
        null => project,
        IResourceBuilder<QdrantServerResource> qdrant => project.WithReference(qdrant),
        var resource => project.WithReference(resource),
    };

    /// <summary>Waits for the backing service when this run starts its container; an existing server is not waited for.</summary>
    public static IResourceBuilder<ProjectResource> WaitFor(this IResourceBuilder<ProjectResource> project, BackingService service) =>
        service is { Source: BackingServiceSource.Container, Resource: { } resource } ? project.WaitFor(resource) : project;

    /// <summary>
    /// Gives the api Open-Meteo for its weather skill as two external services (forecast and geocoding), so the
    /// dashboard shows the dependency; the parameters <c>open-meteo-url</c> and <c>open-meteo-geocoding-url</c> point
    /// them at a self-hosted Open-Meteo.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithOpenMeteo(this IResourceBuilder<ProjectResource> api)
    {
        var builder = api.ApplicationBuilder;
        var forecastUrl = builder.AddParameter("open-meteo-url", "https://api.open-meteo.com/v1/", publishValueAsDefault: true);
        var geocodingUrl = builder.AddParameter("open-meteo-geocoding-url", "https://geocoding-api.open-meteo.com/v1/", publishValueAsDefault: true);
        return api
            .WithReference(builder.AddExternalService("open-meteo", forecastUrl))
            .WithReference(builder.AddExternalService("open-meteo-geocoding", geocodingUrl))
            .WithEnvironment("Jarvis__Skills__Weather__ForecastUrl", ReferenceExpression.Create($"{forecastUrl.Resource}forecast"))
            .WithEnvironment("Jarvis__Skills__Weather__GeocodingUrl", ReferenceExpression.Create($"{geocodingUrl.Resource}search"));
    }

    /// <summary>
    /// Gives the api Home Assistant for its home automation skill: the secret connection string <c>homeassistant</c>
    /// (<c>Endpoint=http://host:8123;Key=TOKEN</c>). A local run passes it only when <c>ConnectionStrings:homeassistant</c>
    /// is set (without it the skill says how to configure it); the published manifest always asks for it.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithHomeAssistant(this IResourceBuilder<ProjectResource> api)
    {
        var builder = api.ApplicationBuilder;
        return builder.ExecutionContext.IsPublishMode || !string.IsNullOrEmpty(builder.Configuration["ConnectionStrings:homeassistant"])
            ? api.WithReference(builder.AddConnectionString("homeassistant"))
            : api;
    }

    /// <summary>
    /// Tells the Api where the Aspire dashboard is (<c>Jarvis__DashboardUrl</c>, its first URL), so every reply on the web
    /// page links to its trace. Only a local run has a dashboard of its own; a deployment sets the variable itself.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDashboardLink(this IResourceBuilder<ProjectResource> api)
    {
        var configuration = api.ApplicationBuilder.Configuration;
        return api.WithEnvironment(context =>
        {
            if (context.ExecutionContext.IsRunMode && configuration["ASPNETCORE_URLS"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is [var first, ..])
            {
                context.EnvironmentVariables["Jarvis__DashboardUrl"] = first;
            }
        });
    }
}
