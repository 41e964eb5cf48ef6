using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.Infrastructure;

/// <summary>The bare Kestrel app a fake external server runs in: a free loopback port, no logging.</summary>
public static class LoopbackApp
{
    /// <summary>Builds the app named <paramref name="name"/>, lets <paramref name="map"/> add its routes, starts it, and returns it with its base address (ending in '/').</summary>
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(string name, Action<WebApplication> map, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(map);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return (app, new Uri(address.TrimEnd('/') + "/"));
    }
}
