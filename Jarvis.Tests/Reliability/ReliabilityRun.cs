using System.Globalization;
using Jarvis.Tests.Api.Chat;
using Jarvis.Tests.Infrastructure;
using Jarvis.Tests.Infrastructure.Ollama;

namespace Jarvis.Tests.Reliability;

/// <summary>
/// What the reliability tests share: how long a load runs (<c>JARVIS_RELIABILITY_SECONDS</c>, 30 s by default; the
/// published figures use 300), where their figures go (the test output, and the file named by
/// <c>JARVIS_RELIABILITY_REPORT</c> when set, as <c>bench/reliability.sh</c> does), and the Api they start.
/// </summary>
public static class ReliabilityRun
{
    private static readonly Lock s_report = new();

    /// <summary>How long a load runs.</summary>
    public static TimeSpan Duration { get; } = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("JARVIS_RELIABILITY_SECONDS"), CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : 30);

    /// <summary>Writes a block of figures under <paramref name="title"/> to the test output and the report file.</summary>
    public static void Report(string title, IEnumerable<string> lines)
    {
        var text = $"## {title}\n{string.Concat(lines.Select(line => $"  {line}\n"))}";
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        if (Environment.GetEnvironmentVariable("JARVIS_RELIABILITY_REPORT") is { Length: > 0 } path)
        {
            lock (s_report)
            {
                File.AppendAllText(path, text + "\n");
            }
        }
    }

    /// <summary>
    /// The built Jarvis.Api as a child process with an LLM (the fake Ollama) and <paramref name="memory"/>, voice down,
    /// logs at Warning (as the benchmarks run it) and the rate limits raised so that a load measures turns, not 429s.
    /// </summary>
    public static async Task<ServiceProcess> StartApiAsync(Uri memory, FakeOllamaServer ollama, CancellationToken cancellationToken)
    {
        var api = ServiceProcess.Start("Jarvis.Api", "Production", new Dictionary<string, string>
        {
            ["Jarvis__ApiKey"] = ApiFactory.Key,
            ["Jarvis__MemoryUrl"] = memory.ToString(),
            ["Jarvis__VoiceUrl"] = "http://127.0.0.1:1",
            ["ConnectionStrings__ollama"] = $"Endpoint={ollama.BaseAddress};Model=llama3.2:1b",
            ["Jarvis__ChatRequestsPerMinute"] = "100000000",
            ["Jarvis__WebSocketConnectionsPerMinute"] = "100000",
            ["Jarvis__WebSocket__MessagesPerWindow"] = "100000",
            ["Logging__LogLevel__Default"] = "Warning",
        });
        await api.WaitUntilHealthyAsync(cancellationToken);
        return api;
    }

    /// <summary>The fake Ollama with the model the Api is configured with.</summary>
    public static Task<FakeOllamaServer> StartOllamaAsync(CancellationToken cancellationToken) =>
        FakeOllamaServer.StartAsync(["llama3.2:1b"], cancellationToken);

    /// <summary>p50, p95 and p99 of <paramref name="milliseconds"/>, nearest rank.</summary>
    public static string Percentiles(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0)
        {
            return "no turns";
        }

        double At(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"p50 {At(0.50),7:F1} ms  p95 {At(0.95),7:F1} ms  p99 {At(0.99),7:F1} ms");
    }

    /// <summary>Bytes as megabytes with one decimal.</summary>
    public static string Megabytes(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024):F1} MB");

    /// <summary>Api output lines that show a crash or an unobserved failure.</summary>
    public static IEnumerable<string> Crashes(ServiceProcess service) =>
        service.Output.Where(line => line.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase)
                                     || line.Contains("UnobservedTaskException", StringComparison.Ordinal));
}
