using System;
using System.Linq;
using OomTools.Engine.Audit;
using OomTools.Engine.Killer;
using Xunit;

namespace OomTools.Engine.Tests.Audit;

/// <summary>
/// AuditReport: the audit Export-OomAuditReport shows, as data and without any HTML, on
/// <see cref="AuditMachines.Fleet"/>. Global ranking: cache 550000 (1), batch-helper 250000 (2, the later of the
/// tie), batch 250000 (3), web 120100 (4), batch-2 10000 (5), db -200000 (6); init, kworker and pinned (-1000)
/// are never chosen.
/// </summary>
public class AuditReportTests
{
    [Fact]
    public void Build_GlobalOom_HoldsEverythingThePageShows()
    {
        var m = AuditMachines.Fleet();
        var at = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

        var r = AuditReport.Build(m, new AuditReportOptions
        {
            Critical = new[] { m.GetTask(30), m.GetTask(10) },
            MissingCritical = new[] { "nope" },
            Kills = 2,
            GeneratedAt = at,
        });

        Assert.Equal("OOM audit: test", r.Title);
        Assert.Equal("test", r.Machine.Name);
        Assert.Equal(1_000_000, r.Machine.RamPages.Value);
        Assert.Equal(0, r.Machine.SwapPages.Value);
        Assert.Equal(4096, r.Machine.PageSize);
        Assert.Equal(1, r.Machine.NumaNodes);
        Assert.Equal(new Version(6, 12), r.Machine.KernelVersion);
        Assert.Equal(new Version(6, 12), r.Machine.ScoringVersion);
        Assert.Equal(2, r.Machine.CgroupVersion);
        Assert.Equal(9, r.Machine.Processes);
        Assert.Equal(0, r.Machine.PanicOnOom);
        Assert.False(r.Machine.OomKillAllocatingTask);

        Assert.Equal(OomConstraint.None, r.Domain.Constraint);
        Assert.Null(r.Domain.Name);
        Assert.Equal(1_000_000, r.TotalPages.Value);

        Assert.Equal(new[] { 40, 31, 30, 20, 70, 10 }, r.Ranking.Select(c => c.Pid));
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, r.Ranking.Select(c => c.Rank));
        Assert.Equal(new long?[] { 550000, 250000, 250000, 120100, 10000, -200000 }, r.Ranking.Select(c => c.Points));
        // cache: 50000 anon plus 500 adj points of 1000 pages each.
        var cache = r.Ranking[0];
        Assert.Equal(("cache", "/", 50000L, 0L, 0L, 500000L, 500), (cache.Name, cache.Cgroup, cache.RssPages, cache.SwapPages, cache.PageTablePages, cache.AdjPages, cache.OomScoreAdj));
        // web: 100000 anon + 20000 file, 409600 bytes of page tables = 100 pages.
        var web = r.Ranking[3];
        Assert.Equal((120000L, 0L, 100L, 0L), (web.RssPages, web.SwapPages, web.PageTablePages, web.AdjPages));
        Assert.Equal((50000L, "/batch"), (r.Ranking[2].SwapPages, r.Ranking[2].Cgroup));

        Assert.Equal(new[] { 1, 50, 60 }, r.NeverChosen.Select(c => c.Pid));
        Assert.Equal(new[] { OomSkipReason.GlobalInit, OomSkipReason.KernelThread, OomSkipReason.OomScoreAdjMin }, r.NeverChosen.Select(c => c.Reason));
        Assert.All(r.NeverChosen, c => Assert.Equal((0, (long?)null), (c.Rank, c.Points)));

        // Two OOMs: cache, then batch-helper taking batch (its mm's other user) with it.
        Assert.Equal(2, r.Kills);
        Assert.Equal(new[] { 40, 31 }, r.KillOrder.Select(s => s.Pid));
        Assert.Equal(new[] { 31, 30 }, r.KillOrder[1].Killed);

        // batch dies in the second OOM: not protected for 2 kills; db dies fifth.
        Assert.True(r.AssessesProtection);
        Assert.Equal(new[] { 30, 10 }, r.Protection.Select(p => p.Pid));
        Assert.Equal(new[] { false, true }, r.Protection.Select(p => p.Protected));
        Assert.Equal(1, r.ProtectedCount);
        Assert.Equal(new[] { "nope" }, r.MissingCritical);
        Assert.True(r.IsCritical(30));
        Assert.True(r.IsCritical(10));
        Assert.False(r.IsCritical(31));

        Assert.Equal(40, r.Top);
        Assert.Equal(at, r.GeneratedAt);
    }

    [Fact]
    public void Build_MemcgOom_WeighsAgainstTheLimit_AndRanksOnlyTheCgroup()
    {
        var m = AuditMachines.Fleet();

        var r = AuditReport.Build(m, new AuditReportOptions { Request = new OomRequest { Cgroup = "/batch" }, Title = "batch", Kills = 5, Top = 1 });

        Assert.Equal("batch", r.Title);
        Assert.Equal(OomConstraint.Memcg, r.Domain.Constraint);
        Assert.Equal("/batch", r.Domain.Name);
        Assert.Equal(262144, r.TotalPages.Value);
        Assert.Equal(new[] { 31, 30, 70 }, r.Ranking.Select(c => c.Pid));
        Assert.Empty(r.NeverChosen);
        // 31 (with 30), then 70; then the cgroup is empty: two OOMs of the five allowed.
        Assert.Equal(new[] { 31, 70 }, r.KillOrder.Select(s => s.Pid));
        Assert.False(r.AssessesProtection);
        Assert.Equal(0, r.ProtectedCount);
        Assert.Null(r.GeneratedAt);
        Assert.Equal(1, r.Top);
    }

    [Fact]
    public void Build_LeavesTheMachineAsItWas()
    {
        var m = AuditMachines.Fleet();

        AuditReport.Build(m, new AuditReportOptions { Critical = new[] { m.GetTask(10) }, Kills = 4 });

        Assert.Equal(9, m.Tasks.Count);
        Assert.Equal(0, m.OomKillCount);
        Assert.All(m.Tasks, t => Assert.False(t.IsOomVictim));
    }

    [Fact]
    public void Build_Refusals()
    {
        var m = AuditMachines.Fleet();

        var kills = Assert.Throws<OomEngineException>(() => AuditReport.Build(m, new AuditReportOptions { Kills = 0 }));
        Assert.Equal((OomError.InvalidArgument, "The number of kills must be at least 1; 0 is not."), (kills.Error, kills.Message));
        var top = Assert.Throws<OomEngineException>(() => AuditReport.Build(m, new AuditReportOptions { Top = 0 }));
        Assert.Equal((OomError.InvalidArgument, "The number of bars must be at least 1; 0 is not."), (top.Error, top.Message));
        Assert.Equal(OomError.CgroupNotFound,
            Assert.Throws<OomEngineException>(() => AuditReport.Build(m, new AuditReportOptions { Request = new OomRequest { Cgroup = "/nope" } })).Error);
        Assert.Throws<ArgumentNullException>(() => AuditReport.Build(null!, new AuditReportOptions()));
        Assert.Throws<ArgumentNullException>(() => AuditReport.Build(m, null!));
    }

    [Fact]
    public void TheData_MakesASecondFormat_WithoutTheHtmlWriter()
    {
        // The seam: a plain-text ranking written from the same data the HTML page is written from.
        var m = AuditMachines.Fleet();
        var r = AuditReport.Build(m, new AuditReportOptions { Kills = 1 });

        var text = string.Join("\n", r.Ranking.Take(3).Select(c => $"#{c.Rank} {c.Pid} {c.Name} {c.Points}"));

        Assert.Equal("#1 40 cache 550000\n#2 31 batch-helper 250000\n#3 30 batch 250000", text);
    }
}
