using System;
using System.Linq;
using OomTools.Engine.Kernels;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Kernels;

/// <summary>
/// The kernel-era table: one row per behaviour change, each behaviour read from the row in force, and a report
/// without a release given the long-term release that prints its task table.
/// </summary>
public class KernelErasTests
{
    [Fact]
    public void Table_IsOrderedOldestFirstWithOneRowPerRelease()
    {
        var since = KernelEras.Table.Select(e => e.Since).ToList();
        Assert.Equal(since.OrderBy(v => v).ToList(), since);
        Assert.Equal(since.Count, since.Distinct().Count());
    }

    [Fact]
    public void Table_EveryRowChangesSomething()
    {
        for (int i = 1; i < KernelEras.Table.Count; i++)
        {
            var (a, b) = (KernelEras.Table[i - 1], KernelEras.Table[i]);
            bool same = a.Unit == b.Unit && a.Root == b.Root && a.Ties == b.Ties && a.Floor == b.Floor &&
                a.OomScore == b.OomScore && a.SacrificeChild == b.SacrificeChild && a.TaskTable == b.TaskTable &&
                a.GfpNames == b.GfpNames;
            Assert.False(same, $"row {b} repeats row {a}");
        }
    }

    [Theory]
    [InlineData(2, 6, 2, 6)]
    [InlineData(2, 4, 2, 6)]     // older than the first row: the first row's rules
    [InlineData(3, 13, 3, 6)]
    [InlineData(4, 18, 4, 17)]
    [InlineData(5, 10, 5, 9)]
    [InlineData(6, 18, 6, 15)]
    public void EraOf_IsTheLastRowAtOrBeforeTheRelease(int major, int minor, int eraMajor, int eraMinor)
    {
        Assert.Equal(new Version(eraMajor, eraMinor), KernelEras.EraOf(new Version(major, minor)).Since);
    }

    [Theory]
    [InlineData(5, 0, true)]
    [InlineData(5, 1, false)]
    public void SacrificeChild_EndsAt51(int major, int minor, bool sacrifice)
    {
        Assert.Equal(sacrifice, KernelRules.For(new Version(major, minor)).Era.SacrificeChild);
    }

    [Theory]
    [InlineData(4, 18, TaskTableFormat.PgtablesBytes)]
    [InlineData(4, 19, TaskTableFormat.PgtablesBytesWidePid)]
    [InlineData(6, 7, TaskTableFormat.PgtablesBytesWidePid)]
    [InlineData(6, 8, TaskTableFormat.RssSplit)]
    [InlineData(3, 10, TaskTableFormat.NrPtes)]
    [InlineData(4, 4, TaskTableFormat.NrPtesNrPmds)]
    public void TaskTable_ChangesAt415_419And68(int major, int minor, TaskTableFormat format)
    {
        Assert.Equal(format, KernelRules.For(new Version(major, minor)).Era.TaskTable);
    }

    [Theory]
    [InlineData(6, 3, GfpNameTable.BeforeV6_4)]
    [InlineData(6, 4, GfpNameTable.V6_4)]
    [InlineData(6, 11, GfpNameTable.V6_4)]
    [InlineData(6, 14, GfpNameTable.V6_12)]
    [InlineData(6, 15, GfpNameTable.V6_15)]
    public void GfpNames_ChangeAt64_612And615(int major, int minor, GfpNameTable table)
    {
        Assert.Equal(table, KernelRules.For(new Version(major, minor)).Era.GfpNames);
    }

    [Theory]
    [InlineData(2, 6, 400, 1000, 400)]           // per mille: the badness itself
    [InlineData(4, 19, 500_000, 2_000_000, 250)] // 500000 * 1000 / 2000000
    [InlineData(6, 12, 500_000, 2_000_000, 833)] // (1000 + 250) * 2 / 3
    [InlineData(6, 12, -1_000_000, 2_000_000, 333)]
    public void ProcOomScore_TakesTheFormOfItsEra(int major, int minor, long badness, long total, long expected)
    {
        Assert.Equal(expected, KernelRules.For(new Version(major, minor)).ProcOomScore(badness, total));
    }

    [Theory]
    [InlineData(3, 5, 500_000, 0, 2_000_000, 500_000, 0, -60_000)]     // root: 30 off the adj, 30 * 2000
    [InlineData(4, 4, 500_000, 100, 2_000_000, 500_000, 200_000, -15_000)]
    [InlineData(6, 12, 500_000, -100, 2_000_000, 500_000, -200_000, 0)]
    [InlineData(2, 6, 500_000, 50, 2_000_000, 250, 50, -30)]           // per mille
    public void Score_TermsAddUpToTheBadness(int major, int minor, long pages, long adj, long total, long basePoints, long adjTerm, long rootTerm)
    {
        var rules = KernelRules.For(new Version(major, minor));
        var t = rules.Score(pages, adj, total, isRoot: true);
        Assert.Equal((basePoints, adjTerm, rootTerm), (t.Base, t.AdjTerm, t.RootTerm));
        Assert.Equal(rules.Badness(pages, adj, total, true), t.Points);
        Assert.Equal(t.Base + t.AdjTerm + t.RootTerm, t.Points);
    }

    [Theory]
    [InlineData(new[] { "uid", "tgid", "total_vm", "rss", "rss_anon", "rss_file", "rss_shmem", "pgtables_bytes", "swapents", "oom_score_adj", "name" }, false, 6, 12)]
    [InlineData(new[] { "uid", "tgid", "total_vm", "rss", "cpu", "oom_adj", "oom_score_adj", "name" }, true, 2, 6)]
    [InlineData(new[] { "uid", "tgid", "total_vm", "rss", "nr_ptes", "nr_pmds", "swapents", "oom_score_adj", "name" }, true, 4, 4)]
    [InlineData(new[] { "uid", "tgid", "total_vm", "rss", "nr_ptes", "swapents", "oom_score_adj", "name" }, true, 3, 10)]
    [InlineData(new[] { "uid", "tgid", "total_vm", "rss", "nr_ptes", "swapents", "oom_score_adj", "name" }, false, 3, 10)]
    [InlineData(new[] { "uid", "tgid", "total_vm", "rss", "pgtables_bytes", "swapents", "oom_score_adj", "name" }, true, 4, 19)]
    [InlineData(new[] { "uid", "tgid", "total_vm", "rss", "pgtables_bytes", "swapents", "oom_score_adj", "name" }, false, 5, 10)]
    public void InferRelease_IsTheLongTermReleaseThatPrintsTheTable(string[] columns, bool printsScore, int major, int minor)
    {
        var layout = KernelEras.LayoutOf(columns);
        Assert.NotNull(layout);
        Assert.Equal(new Version(major, minor), KernelEras.InferRelease(layout!.Value, printsScore));
    }

    [Fact]
    public void LayoutOf_UnknownColumnsIsNull()
    {
        Assert.Null(KernelEras.LayoutOf(new[] { "uid", "tgid", "rss", "name" }));
    }

    [Fact]
    public void UseKernel_SetsTheLogFormatsAndTheScoringTogether()
    {
        var m = new OomTools.Engine.Model.OomMachine(new Pages(1_000_000), Pages.Zero);
        m.UseKernel(new Version(4, 19));
        Assert.Equal(new Version(4, 19), m.KernelVersion);
        Assert.Equal(new Version(4, 19), m.Scoring.Version);
        Assert.Equal(TaskTableFormat.PgtablesBytesWidePid, m.Kernel.Era.TaskTable);
    }
}
