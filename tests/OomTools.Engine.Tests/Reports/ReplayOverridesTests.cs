using System;
using System.Linq;
using OomTools.Engine.Audit;
using OomTools.Engine.Kernels;
using OomTools.Engine.Killer;
using OomTools.Engine.Reports;
using Xunit;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// ReportReplay.Replay with what a user changes (Invoke-OutOfMemory -Report with -KernelVersion, -Cgroup, ...): the
/// override holds for the replay alone, and the rebuilt machine keeps the rules of the kernel that wrote the report.
/// </summary>
public class ReplayOverridesTests
{
    private static OomReport Report21() =>
        Assert.Single(ReportInput.ParseFile(ReportInput.Public("21-linuxmm-4.0rc1-xfstests-resvtest-global-quoted.log")));

    [Fact]
    public void Replay_WithAnotherKernelsScoring_ScoresWithItThenRestoresTheMachinesOwn()
    {
        var r = Report21();
        var machine = r.Machine!.Clone();
        Assert.Equal(new Version(4, 0), machine.Scoring.Version);

        var asIs = ReportReplay.Replay(r, machine.Clone(), adjust: null);
        var under612 = ReportReplay.Replay(r, machine, adjust: null, KernelRules.For(new Version(6, 12)));

        Assert.Equal(302_243, asIs.Candidates.Single(c => c.Pid == 4342).Points);   // the 3% root bonus of 3.14 - 4.16
        Assert.Equal(311_590, under612.Candidates.Single(c => c.Pid == 4342).Points); // no bonus in 6.12
        Assert.Equal(new Version(4, 0), machine.Scoring.Version);
    }

    [Fact]
    public void Replay_AdjustEditsTheReportsOomControlBeforeTheScan()
    {
        var r = Report21();
        var outcome = ReportReplay.Replay(r, r.Machine!.Clone(), oc => oc.GfpMask = new OomTools.Engine.Units.GfpMask(0));
        Assert.Null(outcome.Victim);   // no __GFP_FS: out_of_memory returns before it kills
    }

    [Fact]
    public void Ranked_PutsTheKernelsChoiceFirstAndTheNeverChosenLastInScanOrder()
    {
        var r = Report21();
        var list = BadnessRanking.Ranked(r.Machine!, ReportReplay.ControlFor(r, r.Machine!));
        Assert.Equal(4342, list[0].Pid);
        var ranks = list.Where(c => c.Killable).Select(c => c.Rank).ToList();
        Assert.Equal(Enumerable.Range(1, ranks.Count), ranks);
        var never = list.SkipWhile(c => c.Killable).ToList();
        Assert.All(never, c => Assert.False(c.Killable));
        Assert.Equal(never.OrderBy(c => c.Order).Select(c => c.Pid), never.Select(c => c.Pid));
    }
}
