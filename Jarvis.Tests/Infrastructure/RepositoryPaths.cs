namespace Jarvis.Tests.Infrastructure;

/// <summary>Paths in the repository and in the build output of the projects the tests start as processes.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The built entry assembly of a project (Debug or Release, whichever the tests were built as).</summary>
    public static string ProjectAssembly(string project)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var path = Path.Combine(Root, project, "bin", configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{project} is not built at {path}.", path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Jarvis.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Jarvis.sln not found above " + AppContext.BaseDirectory);
    }
}
