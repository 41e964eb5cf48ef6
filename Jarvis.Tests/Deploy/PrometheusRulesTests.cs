using System.Text.RegularExpressions;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Deploy;

/// <summary>
/// deploy/prometheus checked by Prometheus's own tools: the config and the rules parse, every alert's unit tests pass
/// (each fires on its series and stays quiet just inside its threshold), and every alert has a summary, a description
/// and a runbook_url to a section that exists in docs/runbook.md.
/// </summary>
public sealed partial class PrometheusRulesTests
{
    private static readonly string s_directory = Path.Combine(RepositoryPaths.Root, "deploy", "prometheus");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheConfigAndTheRulesPassPromtoolCheck()
    {
        var (config, configOutput) = await Promtool.RunAsync(["check", "config", Path.Combine(s_directory, "prometheus.yml")], null, Ct);
        Assert.True(config == 0, configOutput);

        var (rules, rulesOutput) = await Promtool.RunAsync(["check", "rules", Path.Combine(s_directory, "rules", "jarvis.rules.yml")], null, Ct);
        Assert.True(rules == 0, rulesOutput);
        Assert.Contains("SUCCESS", rulesOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryAlertFiresAndStaysQuietInItsUnitTests()
    {
        var tests = Path.Combine(s_directory, "tests", "jarvis.rules.test.yml");

        var (exitCode, output) = await Promtool.RunAsync(["test", "rules", tests], null, Ct);

        Assert.True(exitCode == 0, output);
        var tested = AlertName().Matches(await File.ReadAllTextAsync(tests, Ct)).Select(m => m.Groups[1].Value).ToList();
        foreach (var alert in Alerts())
        {
            Assert.True(tested.Count(t => t == alert) >= 2, $"{alert} needs a test that fires and one that stays quiet");
        }
    }

    [Fact]
    public void EveryAlertHasASummaryADescriptionAndARunbookSectionThatExists()
    {
        var rules = File.ReadAllText(Path.Combine(s_directory, "rules", "jarvis.rules.yml"));
        var runbook = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "runbook.md"));
        var sections = Heading().Matches(runbook).Select(m => m.Groups[1].Value.Trim().ToLowerInvariant()).ToHashSet();
        var blocks = rules.Split("      - alert: ").Skip(1).ToList();

        Assert.Equal(Alerts().Count, blocks.Count);
        foreach (var block in blocks)
        {
            var name = block[..block.IndexOf('\n', StringComparison.Ordinal)].Trim();
            Assert.Contains("summary: ", block, StringComparison.Ordinal);
            Assert.Contains("description: ", block, StringComparison.Ordinal);
            Assert.Contains($"runbook_url: docs/runbook.md#{name.ToLowerInvariant()}\n", block, StringComparison.Ordinal);
            Assert.Matches("severity: (critical|warning)", block);
            Assert.Contains(name.ToLowerInvariant(), sections);
        }
    }

    private static List<string> Alerts() =>
        [.. Alert().Matches(File.ReadAllText(Path.Combine(s_directory, "rules", "jarvis.rules.yml"))).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"^\s+- alert: (\w+)$", RegexOptions.Multiline)]
    private static partial Regex Alert();

    [GeneratedRegex(@"^\s+alertname: (\w+)$", RegexOptions.Multiline)]
    private static partial Regex AlertName();

    [GeneratedRegex(@"^## (\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
