using System.Text.RegularExpressions;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Deploy;

/// <summary>docs/metrics.md names every instrument the services' code creates, with its type, and nothing more.</summary>
public sealed partial class MetricsCatalogTests
{
    private static readonly string[] s_projects = ["Jarvis.Api", "Jarvis.Memory", "Jarvis.Voice", "Jarvis.ServiceDefaults"];

    [Fact]
    public void TheCatalogListsEveryInstrumentTheCodeCreatesWithItsType()
    {
        var created = s_projects
            .SelectMany(project => Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, project), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => Instrument().Matches(File.ReadAllText(file)))
            .ToDictionary(m => m.Groups["name"].Value, m => Kind(m.Groups["kind"].Value));
        var catalog = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "metrics.md"));
        var ours = catalog[..catalog.IndexOf("## From the libraries", StringComparison.Ordinal)];
        var documented = Row().Matches(ours).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["type"].Value);

        Assert.True(created.Count >= 20, $"found only {created.Count} instruments in the code");
        Assert.Equal(created.Keys.Order(), documented.Keys.Order());
        foreach (var (name, kind) in created)
        {
            Assert.True(documented[name] == kind, $"{name} is a {kind} in the code, a {documented[name]} in docs/metrics.md");
        }
    }

    private static string Kind(string create) => create switch
    {
        "Counter" or "ObservableCounter" => "counter",
        "Histogram" => "histogram",
        "UpDownCounter" or "ObservableUpDownCounter" => "up-down counter",
        _ => "gauge",
    };

    [GeneratedRegex(@"\.Create(?<kind>Counter|Histogram|ObservableGauge|ObservableCounter|UpDownCounter|ObservableUpDownCounter|Gauge)(?:<\w+>)?\(\s*""(?<name>[a-z_.]+)""")]
    private static partial Regex Instrument();

    [GeneratedRegex(@"^\| `(?<name>[a-z_]+)` \| (?<type>[a-z -]+) \|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
