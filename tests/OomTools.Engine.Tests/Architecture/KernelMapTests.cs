using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace OomTools.Engine.Tests.Architecture;

/// <summary>
/// src/OomTools.Engine/KERNEL-MAP.md maps every function of the seed (mm/oom_kill.c) to a method that exists, in the
/// file it names, with tests that exist.
/// </summary>
public class KernelMapTests
{
    private const string MapPath = "src/OomTools.Engine/KERNEL-MAP.md";
    private const string FunctionsSection = "## Functions of oom_kill.c";
    private const string DataSection = "## Data of oom_kill.c";

    private static readonly Assembly Engine = typeof(OomTools.Engine.Model.OomMachine).Assembly;
    private static readonly Regex Code = new("`([^`]+)`");

    /// <summary>The 37 functions of the seed, as derived once from it (SeedFunctions.txt).</summary>
    private static List<string> Vendored() =>
        File.ReadAllLines(RepoPaths.Of("tests/OomTools.Engine.Tests/Architecture/SeedFunctions.txt"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    private sealed record Row(string Kernel, string Type, string Member, string File, string[] Tests, string Line);

    /// <summary>The rows of the table under <paramref name="heading"/>: kernel name, C# Type.Member, file, tests.</summary>
    private static List<Row> Table(string heading)
    {
        var lines = File.ReadAllLines(RepoPaths.Of(MapPath));
        int start = Array.IndexOf(lines, heading);
        Assert.True(start >= 0, $"{MapPath} has no '{heading}' section.");
        var rows = new List<Row>();
        foreach (var line in lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (cells[0] == "kernel" || cells[0].StartsWith("---")) continue;
            Assert.True(cells.Length == 4, $"Not a row of four cells: {line}");
            var kernel = Code.Match(cells[0]).Groups[1].Value.TrimEnd('[', ']');
            var csharp = Code.Match(cells[1]).Groups[1].Value;
            int dot = csharp.LastIndexOf('.');
            Assert.True(kernel.Length > 0 && dot > 0, $"A row names `kernel_function` and `Type.Member`: {line}");
            var tests = cells[3].Split(',').Select(t => t.Trim()).Where(t => t.Length > 0).ToArray();
            rows.Add(new Row(kernel, csharp.Substring(0, dot), csharp.Substring(dot + 1), cells[2], tests, line));
        }
        return rows;
    }

    [Fact]
    public void TheVendoredListHas37Functions()
    {
        var names = Vendored();
        Assert.Equal(37, names.Count);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [SkippableFact]
    public void TheSeedDefinesExactlyTheVendoredFunctions()
    {
        var seed = RepoPaths.Seed;
        Skip.IfNot(File.Exists(seed), $"The seed is not at {seed} (it sits beside the repository as ../shared/seed/oom_kill.c; OOMTOOLS_SEED may point at it).");
        Assert.Equal(Vendored(), SeedFunctions.Parse(File.ReadAllText(seed)));
    }

    [Fact]
    public void TheMapHasOneRowForEachFunctionOfTheSeed()
    {
        var mapped = Table(FunctionsSection).Select(r => r.Kernel).ToList();
        var duplicates = mapped.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, "Mapped twice: " + string.Join(", ", duplicates));
        var missing = Vendored().Except(mapped).ToList();
        Assert.True(missing.Count == 0, "Seed functions without a row in KERNEL-MAP.md: " + string.Join(", ", missing));
        var extra = mapped.Except(Vendored()).ToList();
        Assert.True(extra.Count == 0, "Rows for functions the seed does not define: " + string.Join(", ", extra));
    }

    public static IEnumerable<object[]> Sections() => new[] { new object[] { FunctionsSection }, new object[] { DataSection } };

    [Theory]
    [MemberData(nameof(Sections))]
    public void EveryTypeAndMemberTheMapNamesExistsInTheFileItNames(string section)
    {
        var wrong = new List<string>();
        foreach (var row in Table(section))
        {
            var types = Engine.GetTypes().Where(t => t.Name == row.Type).ToList();
            if (types.Count != 1) { wrong.Add($"{row.Kernel}: {types.Count} engine types are named {row.Type}"); continue; }
            var type = types[0];
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            if (type.GetMember(row.Member, all).Length == 0) wrong.Add($"{row.Kernel}: {row.Type} has no member {row.Member}");

            var file = RepoPaths.Of("src/OomTools.Engine/" + row.File);
            if (!File.Exists(file)) { wrong.Add($"{row.Kernel}: no file {row.File}"); continue; }
            if (!Regex.IsMatch(File.ReadAllText(file), $@"\b{Regex.Escape(row.Member)}\b"))
                wrong.Add($"{row.Kernel}: {row.File} does not mention {row.Member}");
            var folder = Path.GetDirectoryName(row.File)!.Replace(Path.DirectorySeparatorChar, '.');
            if (type.Namespace != "OomTools.Engine." + folder)
                wrong.Add($"{row.Kernel}: {row.Type} is in {type.Namespace}, not in the folder of {row.File}");
        }
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Theory]
    [MemberData(nameof(Sections))]
    public void EveryTestClassTheMapNamesExists(string section)
    {
        var classes = typeof(KernelMapTests).Assembly.GetTypes().Select(t => t.Name).ToHashSet();
        var missing = Table(section).SelectMany(r => r.Tests.Select(t => (r.Kernel, Test: t.Split('/').Last())))
            .Where(x => !classes.Contains(x.Test)).Select(x => $"{x.Kernel}: {x.Test}").ToList();
        Assert.True(missing.Count == 0, "Test classes the map names that do not exist: " + string.Join(", ", missing));
    }

    [Fact]
    public void SeedFunctions_FindsDefinitionsOnly()
    {
        const string c = """
            static int sysctl_panic_on_oom;
            static inline bool is_memcg_oom(struct oom_control *oc)
            {
            if (is_memcg_oom(oc))
            return oom_badness(p, totalpages);
            }
            struct task_struct *find_lock_task_mm(struct task_struct *p)
            long oom_badness(struct task_struct *p, unsigned long totalpages);
            static bool oom_cpuset_eligible(struct task_struct *start,
            const nodemask_t *mask)
            static DEFINE_RATELIMIT_STATE(oom_rs, DEFAULT_RATELIMIT_INTERVAL,
            static int __init oom_init(void)
            static bool oom_cpuset_eligible(struct task_struct *tsk, struct oom_control *oc)
            bool ret = __oom_reap_task_mm(mm);
            SYSCALL_DEFINE2(process_mrelease, int, pidfd, unsigned int, flags)
            """;
        Assert.Equal(new[] { "is_memcg_oom", "find_lock_task_mm", "oom_cpuset_eligible", "oom_init", "process_mrelease" },
            SeedFunctions.Parse(c));
    }
}
