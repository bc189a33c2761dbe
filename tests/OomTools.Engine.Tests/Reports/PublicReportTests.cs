using System;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Reports;
using Xunit;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// The published reports of tests/fixtures/kernel-logs/public, one by one: what the parser must read out of each
/// (values copied from the files and the README table) and what the replay must score (worked out by hand).
/// </summary>
public class PublicReportTests
{
    private const string Cols419 = "uid tgid total_vm rss pgtables_bytes swapents oom_score_adj name";
    private const string Cols68 = "uid tgid total_vm rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name";
    private const string Docker17 = "/system.slice/docker-3193584578ea07bf5ee503289e7fe7b69f20e60ad236b2b5ce2274419856f8f3.scope";

    private static OomReport Only(string file) => Assert.Single(ReportInput.ParseFile(ReportInput.Public(file)));

    public static TheoryData<string, int, string, OomConstraint, string?, int, string> Choices() => new()
    {
        // file, kernel's pid and name (README), constraint, KernelVersion as printed, task rows, header columns
        { "02-oomanalyser-proxmox-5.15-lxc-phpfpm-memcg.log", 3902942, "php-fpm", OomConstraint.Memcg, "5.15", 73, Cols419 },
        { "04-oomanalyser-ubuntu2110-5.13-sysrq-global.log", 651, "unattended-upgr", OomConstraint.None, "5.13", 23, Cols419 },
        { "08-blog-rhel6-2.6.32-java-vim-global-oldformat.log", 31995, "java", OomConstraint.None, "2.6", 42, "uid tgid total_vm rss cpu oom_adj oom_score_adj name" },
        { "11-pitxu-rpi-zero2w-6.12-python-global-rssanon.log", 996, "python", OomConstraint.None, "6.12", 31, Cols68 },
        // 15 prints no CPU line, so no kernel release at all
        { "15-apiscp-docs-3.10-site133-grep-memcg-adj600.log", 25892, "grep", OomConstraint.Memcg, null, 6, "uid tgid total_vm rss nr_ptes swapents oom_score_adj name" },
        // 17 has no invoked line, but its first line is "CPU: 3 PID: 3974 Comm: apk Not tainted 5.15.0-107-generic"
        { "17-blog-5.15-arm64-docker-cgv2-apk-memcg-noinvokedline.log", 3974, "apk", OomConstraint.Memcg, "5.15", 2, Cols419 },
        { "21-linuxmm-4.0rc1-xfstests-resvtest-global-quoted.log", 4342, "resvtest", OomConstraint.None, "4.0", 33, "uid tgid total_vm rss nr_ptes nr_pmds swapents oom_score_adj name" },
        { "25-parseoom-debian11-5.10-clamd-global-hugepages.log", 517, "clamd", OomConstraint.None, "5.10", 35, Cols419 },
    };

    [Theory]
    [MemberData(nameof(Choices))]
    public void PublicReport_ParsesTheKernelsChoiceConstraintVersionAndTable(string file, int pid, string name,
        OomConstraint constraint, string? version, int rows, string columns)
    {
        var r = Only(file);

        Assert.Equal(pid, r.SelectedPid);
        Assert.Equal(name, r.SelectedName);
        Assert.Contains(pid, r.KilledPids);
        Assert.Equal(constraint, r.Constraint);
        Assert.True(r.HasTaskTable);
        Assert.Equal(rows, r.Tasks.Count);
        Assert.Equal(columns, string.Join(" ", r.TaskTableColumns!));
        Assert.Contains(r.Tasks, t => t.Pid == pid && t.Name == name);
        Assert.Equal(file, r.Source);
        Assert.Equal(1, r.Index);
        Assert.Equal(version, r.KernelVersion?.ToString());
    }

    public static TheoryData<string, long, long, long> GlobalTotals() => new()
    {
        // file, "N pages RAM", "N pages reserved" (not "pages cma reserved"), "Total swap = N kB"
        { "04-oomanalyser-ubuntu2110-5.13-sysrq-global.log", 524158, 17809, 0 },
        { "08-blog-rhel6-2.6.32-java-vim-global-oldformat.log", 2097151, 81869, 0 },
        { "11-pitxu-rpi-zero2w-6.12-python-global-rssanon.log", 114688, 8170, 425980 },
        { "21-linuxmm-4.0rc1-xfstests-resvtest-global-quoted.log", 262044, 10253, 497976 },
        { "25-parseoom-debian11-5.10-clamd-global-hugepages.log", 5241540, 16538, 524284 },
    };

    [Theory]
    [MemberData(nameof(GlobalTotals))]
    public void GlobalReport_ReadsMemInfoTotalsAndRebuildsTheMachineFromThem(string file, long ram, long reserved, long swapKb)
    {
        var r = Only(file);

        Assert.Equal(ram, r.PagesRam);
        Assert.Equal(reserved, r.PagesReserved);
        Assert.Equal(swapKb, r.TotalSwapKb);
        Assert.Null(r.MemcgLimitKb);
        Assert.Null(r.OomMemcg);
        Assert.True(r.Replayable, r.NotReplayableReason);
        // totalram_pages = pages RAM - pages reserved; total_swap_pages = Total swap / 4 kB
        Assert.Equal(ram - reserved, r.Machine!.TotalRamPages.Value);
        Assert.Equal(swapKb / 4, r.Machine.TotalSwapPages.Value);
    }

    public static TheoryData<string, long, CgroupVersion, string> MemcgLimits() => new()
    {
        // file, "memory: usage ..., limit N kB", v1 (memory+swap:) or v2 (swap:), oom_memcg / "limit of"
        { "02-oomanalyser-proxmox-5.15-lxc-phpfpm-memcg.log", 31211520, CgroupVersion.V2, "/lxc/39004" },
        { "15-apiscp-docs-3.10-site133-grep-memcg-adj600.log", 524288, CgroupVersion.V1, "/site133" },
        { "17-blog-5.15-arm64-docker-cgv2-apk-memcg-noinvokedline.log", 8192, CgroupVersion.V2, Docker17 },
    };

    [Theory]
    [MemberData(nameof(MemcgLimits))]
    public void MemcgReport_ReadsLimitCgroupVersionAndOomMemcg(string file, long limitKb, CgroupVersion cgroups, string oomMemcg)
    {
        var r = Only(file);

        Assert.Equal(limitKb, r.MemcgLimitKb);
        Assert.Equal(cgroups, r.CgroupVersion);
        Assert.Equal(oomMemcg, r.OomMemcg);
        Assert.Equal(oomMemcg, r.Cgroup);
        Assert.Null(r.PagesRam);
        Assert.Equal("Memory cgroup out of memory", r.KillMessage);
        Assert.Equal(limitKb / 4, r.Machine!.FindCgroup(oomMemcg)!.MemoryMax.Value);
    }

    [Fact]
    public void Report02_ReadsTriggerGfpMaskAndV2SwapLimit()
    {
        var r = Only("02-oomanalyser-proxmox-5.15-lxc-phpfpm-memcg.log");

        Assert.Equal("php-fpm", r.TriggerName);
        Assert.Equal(3923954, r.TriggerPid);
        Assert.Equal(0x1100ccau, r.GfpMaskValue);
        Assert.Equal("0x1100cca(GFP_HIGHUSER_MOVABLE)", r.GfpMask);
        Assert.Equal(0, r.Order);
        Assert.Equal("5.15.158-2-pve", r.KernelRelease);
        Assert.Equal(0, r.SwapLimitKb);
        Assert.Equal("Di Aug 12 03:54:03 2025", r.Time);
        Assert.Equal("/lxc/39004/ns/system.slice/docker-a59e4e7d3090c04c6ce5a4b7a8bc85228eb9b96ac00b1284643a8c7c11dda661.scope", r.TaskMemcg);
        // three rows with -1000/-999/-500 are present (README)
        Assert.Equal(-1000, r.Tasks.Single(t => t.Pid == 1083565).OomScoreAdj);
        Assert.Equal(-999, r.Tasks.Single(t => t.Pid == 23635).OomScoreAdj);
        Assert.Equal(-500, r.Tasks.Single(t => t.Pid == 23583).OomScoreAdj);
    }

    [Fact]
    public void Report04_SysrqOrderMinusOneIsRead()
    {
        var r = Only("04-oomanalyser-ubuntu2110-5.13-sysrq-global.log");

        Assert.Equal(-1, r.Order);
        Assert.Equal("kworker/0:2", r.TriggerName);
        Assert.Equal(735, r.TriggerPid);
        Assert.Equal("Out of memory", r.KillMessage);
    }

    [Fact]
    public void Report08_OldFormatReadsKillProcessScoreAndCpuOomAdjColumns()
    {
        var r = Only("08-blog-rhel6-2.6.32-java-vim-global-oldformat.log");

        Assert.Equal(442, r.SelectedScore);
        Assert.Equal(new[] { 31995 }, r.KilledPids);
        Assert.Equal("2.6.32-642.11.1.el6.x86_64", r.KernelRelease);
        Assert.Equal("May 17 17:00:28", r.Time);
        Assert.Equal("/", r.Cpuset);
        Assert.Equal("0", r.MemsAllowed);
        var udevd = r.Tasks[0];
        Assert.Equal((549, 1, -17, -1000, "udevd"), (udevd.Pid, udevd.Cpu!.Value, udevd.OomAdj!.Value, udevd.OomScoreAdj, udevd.Name));
    }

    [Fact]
    public void Report11_TakesPagesReservedNotCmaReserved()
    {
        var r = Only("11-pitxu-rpi-zero2w-6.12-python-global-rssanon.log");

        Assert.Equal(8170, r.PagesReserved); // "65536 pages cma reserved" follows it and must not replace it
        var python = r.Tasks.Single(t => t.Pid == 996);
        Assert.Equal((30557L, 0L, 0L, 1183744L, 31936L), (python.RssAnon!.Value, python.RssFile!.Value, python.RssShmem!.Value, python.PgtablesBytes!.Value, python.SwapEnts));
    }

    [Fact]
    public void Report21_QuotedMailReadsEveryLine()
    {
        var r = Only("21-linuxmm-4.0rc1-xfstests-resvtest-global-quoted.log");

        Assert.Equal("resvtest", r.TriggerName);
        Assert.Equal(4342, r.TriggerPid);
        Assert.Equal(803, r.SelectedScore);
        Assert.Equal("148.820369", r.Time);
        Assert.All(r.Lines, l => Assert.False(l.Text.StartsWith(">", StringComparison.Ordinal), l.Text));
        Assert.Equal(87, r.Lines.Count); // every line of the mail, from the invoked line on
    }

    [Fact]
    public void Report25_KeepsSyslogDmesgStampHugepagesAndTheReaperLine()
    {
        var r = Only("25-parseoom-debian11-5.10-clamd-global-hugepages.log");

        Assert.Equal("75669.581768", r.Time);
        Assert.Equal(2, r.Hugepages.Count);
        Assert.Equal("Node 0 hugepages_total=2 hugepages_free=0 hugepages_surp=0 hugepages_size=1048576kB", r.Hugepages[0]);
        Assert.Equal("f2b/f.postfix", r.TriggerName);
        Assert.Equal(754, r.TriggerPid);
        Assert.Equal(r.Lines.Count - 1, r.Lines.ToList().FindIndex(l => l.Text.StartsWith("oom_reaper: reaped process 517 (clamd)", StringComparison.Ordinal)));
    }

    [Fact]
    public void Report15_NoReleasePrinted_ReplaysWithThe310RulesInferredFromNrPtes()
    {
        var r = Only("15-apiscp-docs-3.10-site133-grep-memcg-adj600.log");

        Assert.Null(r.KernelRelease);
        Assert.Equal(710, r.SelectedScore);
        Assert.Equal("/site133", r.TaskMemcg);
        Assert.Equal(new Version(3, 10), r.Machine!.Scoring.Version);
        Assert.Contains(r.Assumptions, a => a.Contains("3.10", StringComparison.Ordinal));
    }

    public static TheoryData<string, long, long> VictimPoints() => new()
    {
        // 02 (5.15, v2, swap.max 0): totalpages = 31211520/4 = 7802880; php-fpm 3195335 rss + 27021312/4096 = 6597 pt pages
        { "02-oomanalyser-proxmox-5.15-lxc-phpfpm-memcg.log", 3201932, 7802880 },
        // 04 (5.13): totalpages = 524158 - 17809 = 506349; unattended-upgr 5232 + 106496/4096 = 26
        { "04-oomanalyser-ubuntu2110-5.13-sysrq-global.log", 5258, 506349 },
        // 08 (2.6.32, per mille): totalpages = 2097151 - 81869 = 2015282; java 889625 * 1000 / 2015282 = 441
        //    (the kernel printed 442: its points also held nr_ptes, which that table does not show)
        { "08-blog-rhel6-2.6.32-java-vim-global-oldformat.log", 441, 2015282 },
        // 11 (6.12): totalpages = 114688 - 8170 + 425980/4 = 106518 + 106495 = 213013; python 30557 + 31936 + 1183744/4096 = 289
        { "11-pitxu-rpi-zero2w-6.12-python-global-rssanon.log", 62782, 213013 },
        // 17 (5.15, v2): totalpages = 8192/4 + min(swap.max 2048, total swap >= 2048 used) = 4096; apk 2024 + 1930 + 81920/4096 = 20
        { "17-blog-5.15-arm64-docker-cgv2-apk-memcg-noinvokedline.log", 3974, 4096 },
        // 21 (4.0, root 3%): 191159 + 119808 swap + 619 ptes + 4 pmds = 311590; - 311590*3/100 = 9347 -> 302243;
        //    totalpages = 262044 - 10253 + 497976/4 = 251791 + 124494 = 376285; 302243*1000/376285 = 803, the kernel's score
        { "21-linuxmm-4.0rc1-xfstests-resvtest-global-quoted.log", 302243, 376285 },
        // 25 (5.10): totalpages = 5241540 - 16538 + 524284/4 = 5225002 + 131071 = 5356073; clamd 422324 + 107099 + 4395008/4096 = 1073
        { "25-parseoom-debian11-5.10-clamd-global-hugepages.log", 530496, 5356073 },
    };

    [Theory]
    [MemberData(nameof(VictimPoints))]
    public void PublicReplay_ScoresTheKernelsChoiceWithHandComputedPoints(string file, long points, long totalPages)
    {
        var r = Only(file);

        var outcome = ReportReplay.Replay(r, r.Machine!.Clone());

        Assert.Equal(r.SelectedPid, outcome.Victim?.Pid);
        Assert.Equal(points, outcome.VictimPoints);
        Assert.Equal(totalPages, outcome.TotalPages.Value);
    }

    [Theory]
    [InlineData("21-linuxmm-4.0rc1-xfstests-resvtest-global-quoted.log", 803)]
    [InlineData("15-apiscp-docs-3.10-site133-grep-memcg-adj600.log", 710)]
    public void OldReportReplay_PointsNormalizeToTheScoreTheKernelPrinted(string file, long score)
    {
        // 3.5 - 5.0 printed "Kill process ... score S" with S = chosen_points * 1000 / totalpages
        var r = Only(file);
        var outcome = ReportReplay.Replay(r, r.Machine!.Clone());

        Assert.Equal(score, r.SelectedScore);
        Assert.Equal(score, outcome.VictimPoints!.Value * 1000 / outcome.TotalPages.Value);
    }
}
