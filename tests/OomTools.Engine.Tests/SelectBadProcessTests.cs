using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Audit;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>oom_evaluate_task(), select_bad_process() and oom_cpuset_eligible().</summary>
public class SelectBadProcessTests
{
    private static OomControl Scan(OomMachine m, OomControl oc)
    {
        // as out_of_memory() does: constraint first, the nodemask kept only for a mempolicy OOM
        oc.Constraint = m.Killer.ConstrainedAlloc(oc);
        if (oc.Constraint != OomConstraint.MemoryPolicy) oc.Nodemask = null;
        oc.Candidates = new CandidateLog(); // what out_of_memory does when RecordCandidates is set
        m.Killer.SelectBadProcess(oc);
        return oc;
    }

    [Fact]
    public void SelectBadProcess_TieGoesToLaterTask()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 300);
        m.Add(101, anon: 300);
        m.Add(102, anon: 299);

        var oc = Scan(m, TestMachines.Global());

        Assert.Equal(101, oc.Chosen!.Pid);
        Assert.Equal(300, oc.ChosenPoints);
    }

    [Fact]
    public void SelectBadProcess_GlobalScanFollowsProcessCreationOrder()
    {
        var m = TestMachines.Machine();
        m.CreateCgroup("/p");
        m.CreateCgroup("/p/x");
        m.CreateCgroup("/p/x/z");
        m.CreateCgroup("/p/y");
        m.Add(10, anon: 500, cgroup: "/p/y");
        m.Add(11, anon: 500, cgroup: "/p/x/z");

        var oc = Scan(m, TestMachines.Global());

        Assert.Equal(11, oc.Chosen!.Pid);
    }

    [Fact]
    public void SelectBadProcess_MemcgScanWalksCgroupsInPreOrder()
    {
        // pre-order under /p: /p, /p/x, /p/x/z, /p/y -> pid 10 (in /p/y) is scanned after pid 11 and wins the tie
        var m = TestMachines.Machine();
        var p = m.CreateCgroup("/p");
        m.CreateCgroup("/p/x");
        m.CreateCgroup("/p/x/z");
        m.CreateCgroup("/p/y");
        m.Add(10, anon: 500, cgroup: "/p/y");
        m.Add(11, anon: 500, cgroup: "/p/x/z");

        var oc = Scan(m, TestMachines.ForMemcg(p));

        Assert.Equal(10, oc.Chosen!.Pid);
        Assert.Equal(new[] { 11, 10 }, oc.Candidates!.Select(c => c.Pid).ToArray());
    }

    [Fact]
    public void SelectBadProcess_MemcgScanOnlySeesTheSubtree()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a");
        m.CreateCgroup("/a/b");
        m.CreateCgroup("/other");
        m.Add(10, anon: 100, cgroup: "/a");
        m.Add(11, anon: 200, cgroup: "/a/b");
        m.Add(12, anon: 90_000, cgroup: "/other");
        m.Add(13, anon: 90_000);

        var oc = Scan(m, TestMachines.ForMemcg(a));

        Assert.Equal(11, oc.Chosen!.Pid);
        Assert.Equal(new[] { 10, 11 }, oc.Candidates!.Select(c => c.Pid).ToArray());
    }

    [Fact]
    public void SelectBadProcess_MovedTaskJoinsTheEndOfItsNewCgroup()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a");
        var b = m.CreateCgroup("/a/b");
        var early = m.Add(10, anon: 500, cgroup: "/a");
        m.Add(11, anon: 500, cgroup: "/a/b");
        m.Add(12, anon: 500, cgroup: "/a");
        m.MoveTask(early, b);

        // pre-order: /a [12], /a/b [11, 10]
        var oc = Scan(m, TestMachines.ForMemcg(a));

        Assert.Equal(new[] { 12, 11, 10 }, oc.Candidates!.Select(c => c.Pid).ToArray());
        Assert.Equal(10, oc.Chosen!.Pid);
    }

    [Fact]
    public void SelectBadProcess_AbortStopsTheScanAtTheVictim()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 10);
        m.Add(101, anon: 20, with: s => s.OomVictim = true);
        m.Add(102, anon: 90_000);

        var oc = Scan(m, TestMachines.Global());

        Assert.True(oc.Aborted);
        Assert.Null(oc.Chosen);
        Assert.Equal(101, oc.AbortedBy!.Pid);
        Assert.Equal(new[] { 100, 101 }, oc.Candidates!.Select(c => c.Pid).ToArray());
        Assert.Equal(OomSkipReason.VictimExiting, oc.Candidates![1].Reason);
    }

    [Fact]
    public void SelectBadProcess_MemcgOomAbortsOnlyOnVictimsInsideTheMemcg()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a");
        m.Add(100, anon: 10, with: s => s.OomVictim = true); // root cgroup: outside the OOM domain
        m.Add(101, anon: 50, cgroup: "/a");

        var oc = Scan(m, TestMachines.ForMemcg(a));

        Assert.False(oc.Aborted);
        Assert.Equal(101, oc.Chosen!.Pid);
    }

    [Fact]
    public void SelectBadProcess_ReapedVictimIsSkippedAndRecorded()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 90_000, with: s => { s.OomVictim = true; s.OomSkip = true; });
        m.Add(101, anon: 20);

        var oc = Scan(m, TestMachines.Global());

        Assert.False(oc.Aborted);
        Assert.Equal(101, oc.Chosen!.Pid);
        Assert.Equal(OomSkipReason.ReapedVictim, oc.Candidates![0].Reason);
    }

    [Fact]
    public void SelectBadProcess_OomOriginGetsLongMaxPoints()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 900_000);
        m.Add(101, anon: 1, name: "swapoff", with: s => s.OomOrigin = true);

        var oc = Scan(m, TestMachines.Global());

        Assert.Equal(101, oc.Chosen!.Pid);
        Assert.Equal(long.MaxValue, oc.ChosenPoints);
    }

    [Fact]
    public void SelectBadProcess_GlobalSkipsTasksWhoseCpusetDoesNotMeetCurrents()
    {
        var m = TestMachines.Machine(ram: 1_000_000, nodes: new long[] { 600_000, 400_000 });
        m.CreateCpuset("/n0", NodeMask.Of(0), hardwall: true);
        m.CreateCpuset("/n1", NodeMask.Of(1), hardwall: true);
        var cur = m.Add(100, anon: 10, with: s => s.Cpuset = "/n0");
        m.Add(101, anon: 90_000, with: s => s.Cpuset = "/n1");
        m.Add(102, anon: 500); // root cpuset: nodes 0-1, meets node 0

        var oc = Scan(m, TestMachines.Global(current: cur, gfp: GfpMask.GFP_HIGHUSER_MOVABLE));

        Assert.Equal(OomConstraint.Cpuset, oc.Constraint);
        Assert.Equal(102, oc.Chosen!.Pid);
        Assert.Equal(OomSkipReason.OutsideNodes, oc.Candidates!.Single(c => c.Pid == 101).Reason);
    }

    [Fact]
    public void SelectBadProcess_UnconstrainedGlobalOomStillChecksCpusetOverlap()
    {
        // oom_cpuset_eligible applies to every non-memcg OOM, not only CONSTRAINT_CPUSET
        var m = TestMachines.Machine(ram: 1_000_000, nodes: new long[] { 600_000, 400_000 });
        m.CreateCpuset("/n0", NodeMask.Of(0), hardwall: false);
        m.CreateCpuset("/n1", NodeMask.Of(1), hardwall: false);
        var cur = m.Add(100, anon: 10, with: s => s.Cpuset = "/n0");
        m.Add(101, anon: 90_000, with: s => s.Cpuset = "/n1");

        var oc = TestMachines.Global(current: cur, gfp: GfpMask.GFP_KERNEL);
        Assert.Equal(OomConstraint.None, m.Killer.ConstrainedAlloc(oc));
        m.Killer.SelectBadProcess(oc);

        Assert.Equal(100, oc.Chosen!.Pid);
    }

    [Fact]
    public void SelectBadProcess_MempolicyOomSkipsTasksBoundToOtherNodes()
    {
        var m = TestMachines.Machine(ram: 1_000_000, nodes: new long[] { 600_000, 400_000 });
        m.CreateCpuset("/n0", NodeMask.Of(0), hardwall: true);
        var cur = m.Add(100, anon: 10, with: s => s.MempolicyBind = NodeMask.Of(1));
        m.Add(101, anon: 90_000, with: s => s.MempolicyBind = NodeMask.Of(0));
        m.Add(102, anon: 500, with: s => s.MempolicyBind = NodeMask.Of(0, 1));
        m.Add(103, anon: 400, with: s => s.Cpuset = "/n0"); // no policy: eligible, its cpuset does not matter

        var oc = TestMachines.Global(current: cur, nodemask: NodeMask.Of(1));
        Assert.Equal(OomConstraint.MemoryPolicy, m.Killer.ConstrainedAlloc(oc));
        oc.Candidates = new CandidateLog();
        m.Killer.SelectBadProcess(oc);

        Assert.Equal(102, oc.Chosen!.Pid);
        Assert.Equal(OomSkipReason.OutsideNodes, oc.Candidates!.Single(c => c.Pid == 101).Reason);
        Assert.True(m.Killer.OomCpusetEligible(m.GetTask(103), oc));
    }

    [Fact]
    public void SelectBadProcess_MempolicyOomWithoutPolicyTaskIsEligible()
    {
        var m = TestMachines.Machine(ram: 1_000_000, nodes: new long[] { 600_000, 400_000 });
        m.CreateCpuset("/n0", NodeMask.Of(0), hardwall: true);
        var cur = m.Add(100, anon: 10, with: s => s.MempolicyBind = NodeMask.Of(1));
        m.Add(103, anon: 400, with: s => s.Cpuset = "/n0");

        var oc = TestMachines.Global(current: cur, nodemask: NodeMask.Of(1));
        Assert.Equal(OomConstraint.MemoryPolicy, m.Killer.ConstrainedAlloc(oc));
        oc.Candidates = new CandidateLog();
        m.Killer.SelectBadProcess(oc);

        Assert.Equal(103, oc.Chosen!.Pid);
    }

    [Fact]
    public void SelectBadProcess_MemcgOomIgnoresCpusets()
    {
        var m = TestMachines.Machine(ram: 1_000_000, nodes: new long[] { 600_000, 400_000 });
        m.CreateCpuset("/n0", NodeMask.Of(0), hardwall: true);
        m.CreateCpuset("/n1", NodeMask.Of(1), hardwall: true);
        var a = m.CreateCgroup("/a");
        var cur = m.Add(100, anon: 10, cgroup: "/a", with: s => s.Cpuset = "/n0");
        m.Add(101, anon: 90_000, cgroup: "/a", with: s => s.Cpuset = "/n1");

        var oc = Scan(m, TestMachines.ForMemcg(a, current: cur));

        Assert.Equal(101, oc.Chosen!.Pid);
    }

    [Fact]
    public void SelectBadProcess_MemcgTotalPagesScaleTheAdj()
    {
        // limit 40960 pages: adj counts 40 pages per unit; 100 pages + 10*40 beats 450 pages
        var m = TestMachines.Machine(ram: 1_000_000);
        var a = m.CreateCgroup("/a", memoryMax: new Pages(40960), swapMax: new Pages(0));
        m.Add(100, anon: 450, cgroup: "/a");
        m.Add(101, anon: 100, adj: 10, cgroup: "/a");

        var oc = Scan(m, TestMachines.ForMemcg(a));

        Assert.Equal(101, oc.Chosen!.Pid);
        Assert.Equal(500, oc.ChosenPoints);
    }

    [Fact]
    public void ScoreAll_RanksMostPointsFirstAndTiesLaterFirst()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 300);
        m.Add(101, anon: 500);
        m.Add(102, anon: 300);
        m.Add(103, anon: 300, adj: -1000);

        var list = BadnessRanking.ScoreAll(m, TestMachines.Global());

        Assert.Equal(1, list.Single(c => c.Pid == 101).Rank);
        Assert.Equal(2, list.Single(c => c.Pid == 102).Rank);
        Assert.Equal(3, list.Single(c => c.Pid == 100).Rank);
        Assert.Equal(0, list.Single(c => c.Pid == 103).Rank);
        Assert.Equal(OomSkipReason.OomScoreAdjMin, list.Single(c => c.Pid == 103).Reason);
    }
    [Fact]
    public void AddTask_OomVictimWithNoThreadHoldingTheMmStillStopsTheScan()
    {
        // signal->oom_mm outlives every thread's exit_mm (mark_oom_victim took a reference): the task is still an
        // OOM victim, and until MMF_OOM_SKIP its mm is waited for. TIF_MEMDIE went with the threads' exit_mm.
        var m = TestMachines.Machine();
        m.Add(100, anon: 10);
        var victim = m.Add(101, anon: 20, with: s => { s.OomVictim = true; s.Threads = 2; s.DetachedThreads = 2; s.ThreadIds = new[] { 900 }; });
        m.Add(102, anon: 90_000);

        Assert.True(victim.IsOomVictim);
        Assert.Null(victim.Mm);
        Assert.False(victim.MemDie);
        Assert.Equal(0, m.OomVictims);
        var oc = Scan(m, TestMachines.Global());

        Assert.True(oc.Aborted);
        Assert.Equal(101, oc.AbortedBy!.Pid);
        Assert.Equal(OomSkipReason.VictimExiting, oc.Candidates![1].Reason);
    }

    [Fact]
    public void AddTask_OomVictimSharingAnMmWithNoThreadHoldingItWaitsForTheSharedMm()
    {
        // A CLONE_VM victim whose own threads are gone: its oom_mm is the mm still used by the owner.
        var m = TestMachines.Machine();
        var owner = m.Add(100, anon: 5_000);
        var victim = m.AddSharer(101, owner: 100, with: s => { s.OomVictim = true; s.Threads = 2; s.DetachedThreads = 2; s.ThreadIds = new[] { 900 }; });
        m.Add(102, anon: 90_000);

        Assert.Same(owner.Mm, victim.OomMm);
        Assert.Null(victim.Mm);
        Assert.Equal(1, owner.Mm!.Users);
        var oc = Scan(m, TestMachines.Global());

        Assert.True(oc.Aborted);
        Assert.Equal(101, oc.AbortedBy!.Pid);
    }

    [Fact]
    public void AddTask_ReapedOomVictimWithNoThreadHoldingTheMmIsSkipped()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 10, with: s => { s.OomVictim = true; s.OomSkip = true; s.Threads = 2; s.DetachedThreads = 2; s.ThreadIds = new[] { 900 }; });
        m.Add(101, anon: 20);

        var oc = Scan(m, TestMachines.Global());

        Assert.False(oc.Aborted);
        Assert.Equal(101, oc.Chosen!.Pid);
        Assert.Equal(OomSkipReason.ReapedVictim, oc.Candidates![0].Reason);
    }

    [Theory]
    [InlineData(1)] // its threads still hold the mm
    [InlineData(2)] // every thread has passed exit_mm; oom_mm is all that is left
    public void SelectBadProcess_ReapedVictimIsSkippedEvenWhenOomOrigin(int threads)
    {
        // oom_evaluate_task tests tsk_is_oom_victim (and MMF_OOM_SKIP) before oom_task_origin: a reaped victim
        // is passed over ("goto next"), never chosen with LONG_MAX.
        var m = TestMachines.Machine();
        m.Add(100, anon: 10, name: "swapoff", with: s =>
        {
            s.OomOrigin = true; s.OomVictim = true; s.OomSkip = true; s.Threads = threads; s.DetachedThreads = threads == 1 ? 0 : threads;
            // Thread ids and pids are one number space: the thread is not 101.
            if (threads > 1) s.ThreadIds = new[] { 900 };
        });
        m.Add(101, anon: 20);

        var oc = Scan(m, TestMachines.Global());

        Assert.False(oc.Aborted);
        Assert.Equal(101, oc.Chosen!.Pid);
        Assert.Equal(20, oc.ChosenPoints);
        Assert.Equal(OomSkipReason.ReapedVictim, oc.Candidates![0].Reason);
        Assert.False(oc.Candidates![0].Killable);
    }

    [Fact]
    public void SelectBadProcess_ExitingVictimStopsTheScanEvenWhenOomOrigin()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 10, name: "swapoff", with: s => { s.OomOrigin = true; s.OomVictim = true; });
        m.Add(101, anon: 20);

        var oc = Scan(m, TestMachines.Global());

        Assert.True(oc.Aborted);
        Assert.Null(oc.Chosen);
        Assert.Equal(100, oc.AbortedBy!.Pid);
    }

    [Fact]
    public void ScoreAll_ReapedOomOriginVictimIsNotRankedFirst()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 10, name: "swapoff", with: s => { s.OomOrigin = true; s.OomVictim = true; s.OomSkip = true; });
        m.Add(101, anon: 20);

        var list = BadnessRanking.ScoreAll(m, TestMachines.Global());

        var reaped = list.Single(c => c.Pid == 100);
        Assert.Equal(OomSkipReason.ReapedVictim, reaped.Reason);
        Assert.False(reaped.Killable);
        Assert.Null(reaped.Points);
        Assert.Equal(0, reaped.Rank);
        Assert.Equal(1, list.Single(c => c.Pid == 101).Rank);
    }

    [Fact]
    public void ScoreAll_VictimStillExitingIsMarkedAndNotRanked()
    {
        // The kernel would stop the scan at it and kill nothing: it is no one's "next victim".
        var m = TestMachines.Machine();
        m.Add(100, anon: 10, name: "swapoff", with: s => { s.OomOrigin = true; s.OomVictim = true; });
        m.Add(101, anon: 20);

        var list = BadnessRanking.ScoreAll(m, TestMachines.Global());

        Assert.Equal(OomSkipReason.VictimExiting, list.Single(c => c.Pid == 100).Reason);
        Assert.Equal(0, list.Single(c => c.Pid == 100).Rank);
        Assert.Equal(1, list.Single(c => c.Pid == 101).Rank);
    }

    [Fact]
    public void ScoreAll_SysrqIgnoresVictimsAsTheScanDoes()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 30, with: s => s.OomVictim = true);
        m.Add(101, anon: 20);

        var list = BadnessRanking.ScoreAll(m, TestMachines.Sysrq());

        Assert.Equal(1, list.Single(c => c.Pid == 100).Rank);
    }

    [Fact]
    public void Candidates_OomScoreIsTheProcValueEvenOutsideTheOomsNodes()
    {
        // proc_oom_score knows nothing of the OOM's nodes: a task passed over as OutsideNodes still reads its score.
        // RAM 1_000_000 pages, no swap: 100_000 pages -> (1000 + 100) * 2 / 3 = 733.
        var m = TestMachines.Machine(ram: 1_000_000, nodes: new long[] { 600_000, 400_000 });
        m.CreateCpuset("/n0", NodeMask.Of(0), hardwall: true);
        m.CreateCpuset("/n1", NodeMask.Of(1), hardwall: true);
        var cur = m.Add(100, anon: 10, with: s => s.Cpuset = "/n0");
        var far = m.Add(101, anon: 100_000, with: s => s.Cpuset = "/n1");

        var oc = Scan(m, TestMachines.Global(current: cur, gfp: GfpMask.GFP_HIGHUSER_MOVABLE));
        var ranked = BadnessRanking.ScoreAll(m, TestMachines.Global(current: cur, gfp: GfpMask.GFP_HIGHUSER_MOVABLE));

        Assert.Equal(733, m.Killer.ProcOomScore(far));
        Assert.Equal(OomSkipReason.OutsideNodes, oc.Candidates!.Single(c => c.Pid == 101).Reason);
        Assert.Equal(733, oc.Candidates!.Single(c => c.Pid == 101).OomScore);
        Assert.Equal(OomSkipReason.OutsideNodes, ranked.Single(c => c.Pid == 101).Reason);
        Assert.Equal(733, ranked.Single(c => c.Pid == 101).OomScore);
        Assert.Null(ranked.Single(c => c.Pid == 101).Points);
    }

    [Fact]
    public void Candidates_OomScoreOfAVictimStillExitingIsItsProcValue()
    {
        // RAM 1_000_000 pages: 100_000 pages -> 733; the reaped one has MMF_OOM_SKIP, so oom_badness is LONG_MIN -> 0.
        var m = TestMachines.Machine();
        m.Add(100, anon: 100_000, with: s => s.OomVictim = true);
        m.Add(101, anon: 100_000, with: s => { s.OomVictim = true; s.OomSkip = true; });

        var ranked = BadnessRanking.ScoreAll(m, TestMachines.Global());

        Assert.Equal(733, ranked.Single(c => c.Pid == 100).OomScore);
        Assert.Equal(0, ranked.Single(c => c.Pid == 101).OomScore);
    }
}
