namespace Herald.Sse.Tests;

/// <summary>Finds the repository root (where Herald.slnx is) so tests read ../shared the same way locally and in CI.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Herald.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Herald.slnx not found above {AppContext.BaseDirectory}.");
    }
}
