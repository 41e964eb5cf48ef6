using Jarvis.Hosting;
using Jarvis.Hosting.Dashboard;
using Jarvis.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Jarvis.Tests.Dashboard.Browser;

/// <summary>
/// A one-resource app host for page-level tests: "painter", a shell that prints coloured output and then sleeps, with
/// a secret parameter in its environment; and "chatty", which prints 10,000 lines. It starts in a moment, unlike the
/// whole stack.
/// </summary>
public sealed class PainterAppFixture : IAsyncLifetime
{
    public const string Resource = "painter";

    /// <summary>A resource that prints 10,000 lines at start, more than the console keeps.</summary>
    public const string Chatty = "chatty";
    public const string SecretVariable = "PAINTER_KEY";
    public const string SecretValue = "painter-secret-shown-only-on-reveal";

    public DistributedApplication App { get; private set; } = null!;

    public Uri LoginUrl { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.Configuration["Parameters:painter-key"] = SecretValue;
        var key = builder.ApplicationBuilder.AddParameter("painter-key", secret: true);
        builder.ApplicationBuilder.AddExecutable(Resource, "sh", AppContext.BaseDirectory, "-c",
                @"printf '\033[31mred\033[0m plain \033[1;38;2;0;128;255mbold truecolor\033[0m <b>markup stays text</b>\n'; exec sleep 600")
            .WithEnvironment(SecretVariable, key);
        builder.ApplicationBuilder.AddExecutable(Chatty, "sh", AppContext.BaseDirectory, "-c", "seq 1 10000; exec sleep 600");
        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(Resource, timeout.Token);
        LoginUrl = App.Services.GetRequiredService<DashboardServer>().LoginUrl ?? throw new InvalidOperationException("The dashboard did not start.");
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }
}
