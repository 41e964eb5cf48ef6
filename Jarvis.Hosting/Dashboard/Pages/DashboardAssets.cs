using System.Collections.Frozen;
using System.Net;
using System.Text;

namespace Jarvis.Hosting.Dashboard.Pages;

/// <summary>
/// The dashboard's embedded files: scripts and the stylesheet served as they are, and each page's fragment rendered
/// once into the shared layout (navigation, stylesheet, helper script).
/// </summary>
internal sealed class DashboardAssets
{
    private const string Prefix = "Dashboard/";

    private static readonly FrozenDictionary<string, string> s_contentTypes = new Dictionary<string, string>
    {
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
    }.ToFrozenDictionary();

    private readonly FrozenDictionary<string, (byte[] Content, string ContentType)> _files;
    private readonly FrozenDictionary<DashboardPage, string> _pages;

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var texts = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(n => n[Prefix.Length..], n => Read(assembly, n), StringComparer.Ordinal);

        _files = texts
            .Where(t => s_contentTypes.ContainsKey(Path.GetExtension(t.Key)))
            .ToFrozenDictionary(t => t.Key, t => (Encoding.UTF8.GetBytes(t.Value), s_contentTypes[Path.GetExtension(t.Key)]), StringComparer.Ordinal);
        _pages = DashboardPage.All.ToFrozenDictionary(p => p, p => Render(texts["layout.html"], p, texts[$"{p.Asset}.html"]));
    }

    /// <summary>A script or the stylesheet by file name; false for anything else.</summary>
    public bool TryGetFile(string name, out byte[] content, out string contentType)
    {
        var found = _files.TryGetValue(name, out var file);
        (content, contentType) = file;
        return found;
    }

    /// <summary>The page's HTML: its fragment inside the layout.</summary>
    public string Page(DashboardPage page) => _pages[page];

    private static string Render(string layout, DashboardPage page, string main)
    {
        var sections = DashboardPage.All.Select(p => p.Section).Distinct();
        var nav = string.Concat(sections.Select(section =>
        {
            var target = DashboardPage.All.First(p => p.Section == section);
            var current = section == page.Section ? " aria-current=\"page\"" : "";
            return $"<a href=\"{target.Route}\"{current}>{WebUtility.HtmlEncode(section)}</a>";
        }));
        return layout
            .Replace("{{title}}", WebUtility.HtmlEncode(page.Title), StringComparison.Ordinal)
            .Replace("{{nav}}", nav, StringComparison.Ordinal)
            .Replace("{{main}}", main, StringComparison.Ordinal)
            .Replace("{{script}}", $"/assets/{page.Asset}.js", StringComparison.Ordinal);
    }

    private static string Read(System.Reflection.Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
