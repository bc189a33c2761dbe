using System;
using System.IO;

namespace OomTools.Engine.Tests.Architecture;

/// <summary>Where the repository and the files the architecture tests read are, found from the test binaries up.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OomTools.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No OomTools.sln above {AppContext.BaseDirectory}.");
    });

    /// <summary>The repository root (the folder of OomTools.sln).</summary>
    public static string Root => root.Value;

    /// <summary>A path below the repository root, given with '/'.</summary>
    public static string Of(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>
    /// The seed, mm/oom_kill.c: <c>../shared/seed/oom_kill.c</c> beside the repository (as the lead's checkout and CI
    /// have it), or where OOMTOOLS_SEED points.
    /// </summary>
    public static string Seed =>
        Environment.GetEnvironmentVariable("OOMTOOLS_SEED") is { Length: > 0 } given
            ? given
            : Path.GetFullPath(Path.Combine(Root, "..", "shared", "seed", "oom_kill.c"));
}
