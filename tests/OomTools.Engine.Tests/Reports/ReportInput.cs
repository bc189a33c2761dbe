using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OomTools.Engine.Reports;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// Feeds text through <see cref="OomReportParser"/> the way Import-OomReport does (one Feed per line, then
/// Complete) and finds the real kernel logs under tests/fixtures/kernel-logs. It only moves input around; every
/// expected value is written out by hand in the tests.
/// </summary>
internal static class ReportInput
{
    private static readonly Lazy<string> Root = new(FindFixtures);

    /// <summary>tests/fixtures/kernel-logs, found by walking up from the test assembly to the folder holding OomTools.sln.</summary>
    public static string FixturesRoot => Root.Value;
    public static string MemcgDir => Path.Combine(FixturesRoot, "memcg");
    public static string PublicDir => Path.Combine(FixturesRoot, "public");

    private static string FindFixtures()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OomTools.sln"))) dir = dir.Parent;
        if (dir is null)
            throw new InvalidOperationException($"No folder holding OomTools.sln above {AppContext.BaseDirectory}.");
        var path = Path.Combine(dir.FullName, "tests", "fixtures", "kernel-logs");
        if (!Directory.Exists(path)) throw new InvalidOperationException($"The fixtures folder {path} is missing.");
        return path;
    }

    /// <summary>The lab's scenarios with forked twins (<c>OOMLAB_TWINS=1</c>).</summary>
    public static string[] TwinFiles() =>
        Directory.GetFiles(Path.Combine(FixturesRoot, "twins"), "*.log").OrderBy(f => f, StringComparer.Ordinal).ToArray();

    public static string[] MemcgFiles() =>
        Directory.GetFiles(MemcgDir, "*.log").OrderBy(f => f, StringComparer.Ordinal).ToArray();

    public static string[] PublicFiles() =>
        Directory.GetFiles(PublicDir, "*.log").OrderBy(f => f, StringComparer.Ordinal).ToArray();

    public static string[] AllFiles() => MemcgFiles().Concat(PublicFiles()).ToArray();

    public static string Public(string fileName) => Path.Combine(PublicDir, fileName);

    /// <summary>Every event of a fixture file, in order.</summary>
    public static List<OomReport> ParseFile(string path) =>
        ParseLines(File.ReadLines(path), Path.GetFileName(path));

    /// <summary>Every event of <paramref name="text"/> (split on \n, a trailing \r dropped).</summary>
    public static List<OomReport> ParseText(string text, string name = "(test)") =>
        ParseLines(SplitLines(text), name);

    public static List<OomReport> ParseLines(IEnumerable<string> lines, string name = "(test)")
    {
        var parser = new OomReportParser(name);
        var reports = new List<OomReport>();
        // Feed hands back a list it reuses on the next call: copy it straight away.
        foreach (var line in lines) reports.AddRange(parser.Feed(line));
        reports.AddRange(parser.Complete());
        return reports;
    }

    public static IEnumerable<string> SplitLines(string text) =>
        text.Split('\n').Select(l => l.EndsWith("\r", StringComparison.Ordinal) ? l.Substring(0, l.Length - 1) : l);

    /// <summary>Joins lines of a hand-written report.</summary>
    public static string Join(params string[] lines) => string.Join("\n", lines);
}
