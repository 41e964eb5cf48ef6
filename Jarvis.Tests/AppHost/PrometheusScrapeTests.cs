using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.AppHost;

/// <summary>
/// Every service's /metrics parses with promtool; a real Prometheus (Debian's <c>/usr/bin/prometheus</c>, on a free
/// loopback port) runs the repository's deploy/prometheus config against the running stack: every target up, every
/// rule loaded, PromQL answering for <c>chat_requests_total</c> after a turn.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed class PrometheusScrapeTests(StackFixture stack)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryServiceServesMetricsWithoutTheApiKeyInAFormatPromtoolParses()
    {
        using var api = stack.CreateApiClient();
        (await api.PostAsJsonAsync("/api/chat", new { message = "hello", userId = "metrics-alice" }, Ct)).EnsureSuccessStatusCode();

        foreach (var service in StackFixture.Services)
        {
            using var client = stack.App.CreateHttpClient(service);
            using var response = await client.GetAsync("/metrics", Ct);
            var exposition = await response.Content.ReadAsStringAsync(Ct);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("# TYPE http_server_request_duration_seconds histogram", exposition, StringComparison.Ordinal);
            var (exitCode, output) = await Promtool.CheckMetricsAsync(exposition, Ct);
            Assert.True(exitCode is 0 or 3, $"promtool could not parse {service}'s /metrics ({exitCode}): {output}");
            if (service == "api")
            {
                foreach (var name in (string[])["chat_requests_total", "service_health_status", "service_response_seconds_bucket"])
                {
                    Assert.Contains($"\n{name}{{", exposition, StringComparison.Ordinal);
                    Assert.DoesNotContain(name, output, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public async Task TheRepositorysPrometheusConfigScrapesTheThreeServicesAndLoadsEveryRule()
    {
        // deploy/prometheus as it is, its target files pointed at the stack.
        var directory = Directory.CreateTempSubdirectory("jarvis-prometheus-");
        CopyDirectory(Path.Combine(RepositoryPaths.Root, "deploy", "prometheus"), directory.FullName);
        foreach (var service in StackFixture.Services)
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "targets", $"{service}.yml"), $"- targets: ['{stack.App.GetEndpoint(service, "http").Authority}']\n", Ct);
        }

        var port = FreePort();
        using var prometheus = Process.Start(new ProcessStartInfo("/usr/bin/prometheus",
        [
            $"--config.file={Path.Combine(directory.FullName, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(directory.FullName, "data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
        ])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        prometheus.OutputDataReceived += (_, _) => { };
        prometheus.ErrorDataReceived += (_, _) => { };
        prometheus.BeginOutputReadLine();
        prometheus.BeginErrorReadLine();
        try
        {
            using var api = stack.CreateApiClient();
            (await api.PostAsJsonAsync("/api/chat", new { message = "hello", userId = "prometheus-bob" }, Ct)).EnsureSuccessStatusCode();
            using var query = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

            // The first scrape comes within the 15 s interval.
            var up = await QueryUntilAsync(query, "up == 1", results => results.GetArrayLength() == 3);
            var chats = await QueryUntilAsync(query, "sum(chat_requests_total{job=\"api\"})", results => results.GetArrayLength() == 1 && Value(results[0]) >= 1);
            var rules = await query.GetFromJsonAsync<JsonElement>("/api/v1/rules", Ct);

            Assert.Equal(["api", "memory", "voice"], up.EnumerateArray().Select(r => r.GetProperty("metric").GetProperty("job").GetString()).Order());
            Assert.True(Value(chats[0]) >= 1);
            var loaded = rules.GetProperty("data").GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
            Assert.Equal(14, loaded.Count(r => r.GetProperty("type").GetString() == "alerting"));
            Assert.All(loaded, r => Assert.NotEqual("err", r.GetProperty("health").GetString()));
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync(CancellationToken.None);
            directory.Delete(recursive: true);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static double Value(JsonElement result) =>
        double.Parse(result.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Asks <c>/api/v1/query</c> once a second (60 s at most) until the result vector satisfies <paramref name="done"/>.</summary>
    private static async Task<JsonElement> QueryUntilAsync(HttpClient client, string promql, Func<JsonElement, bool> done)
    {
        var last = "";
        for (var attempt = 0; attempt < 60; attempt++)
        {
            try
            {
                var answer = await client.GetFromJsonAsync<JsonElement>($"/api/v1/query?query={Uri.EscapeDataString(promql)}", Ct);
                last = answer.ToString();
                var results = answer.GetProperty("data").GetProperty("result");
                if (answer.GetProperty("status").GetString() == "success" && done(results))
                {
                    return results.Clone();
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(1000, Ct);
        }

        throw new TimeoutException($"Prometheus did not answer '{promql}' as expected within 60 s; last answer: {last}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
