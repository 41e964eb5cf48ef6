using System.Text.Json;
using Jarvis.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Jarvis.Tests.ServiceDefaults;

/// <summary>
/// The optional file log: the console's JSON lines, scrubbed the same way, in a daily file that Serilog's sink rotates
/// (the date in its name); off without <c>Logging:File:Path</c>.
/// </summary>
public sealed class FileLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("jarvis-file-log-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task RecordsGoToADailyFileAsScrubbedJsonLinesWithTheRequestId()
    {
        string requestId;
        await using (var service = await TestService.StartAsync(Ct,
            map: app => app.MapGet("/work", (ILogger<FileLogTests> logger) =>
            {
                logger.LogWarning("calling the store with api_key=secret123");
                return Results.Ok();
            }),
            settings: new Dictionary<string, string?> { ["Logging:File:Path"] = Path.Combine(_directory, "api-.log") }))
        {
            using var client = service.CreateClient();
            using var response = await client.GetAsync("/work", Ct);
            requestId = response.Headers.GetValues("X-Request-ID").Single();
        }

        var file = Assert.Single(Directory.GetFiles(_directory));
        Assert.Matches(@"api-\d{8}\.log$", file);
        var lines = (await File.ReadAllLinesAsync(file, Ct)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var warning = lines.Single(l => l.GetProperty("msg").GetString()!.StartsWith("calling the store", StringComparison.Ordinal));
        Assert.Equal("calling the store with api_key=***", warning.GetProperty("msg").GetString());
        Assert.Equal("warn", warning.GetProperty("lvl").GetString());
        Assert.Equal(requestId, warning.GetProperty("request_id").GetString());
        Assert.True(warning.TryGetProperty("ts", out _));
        Assert.DoesNotContain(lines, l => l.ToString().Contains("secret123", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutAPathThereIsNoFileLog()
    {
        await using var service = await TestService.StartAsync(Ct);

        Assert.DoesNotContain(service.App.Services.GetServices<ILoggerProvider>(), p => p.GetType().Name == "FileLoggerProvider");
    }
}
