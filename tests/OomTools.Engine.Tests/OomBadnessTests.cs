using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>oom_badness(), oom_unkillable_task(), find_lock_task_mm() and fs/proc/base.c proc_oom_score().</summary>
public class OomBadnessTests
{
    [Fact]
    public void OomBadness_AdjIgnoredWhenTotalPagesBelow1000()
    {
        var m = TestMachines.Machine(ram: 999);
        var big = m.Add(100, anon: 50, adj: 1000);
        var low = m.Add(101, anon: 50, adj: -999);

        Assert.Equal(50, m.Killer.OomBadness(big, new Pages(999)));
        Assert.Equal(50, m.Killer.OomBadness(low, new Pages(999)));
    }

    [Fact]
    public void OomBadness_AdjScalesByTruncatedThousandths()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10, adj: 10);

        Assert.Equal(20, m.Killer.OomBadness(t, new Pages(1000)));
        Assert.Equal(20, m.Killer.OomBadness(t, new Pages(1999)));
        Assert.Equal(30, m.Killer.OomBadness(t, new Pages(2000)));
    }

    [Fact]
    public void OomBadness_NegativeAdjMakesPointsNegative()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10, adj: -1);

        Assert.Equal(-990, m.Killer.OomBadness(t, new Pages(1_000_000)));
    }

    [Fact]
    public void OomBadness_CountsRssSwapAndPageTablePages()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 1000, file: 200, shmem: 30, swap: 4, pgtables: 3 * 4096 + 4095);

        Assert.Equal(1000 + 200 + 30 + 4 + 3, m.Killer.OomBadness(t, new Pages(1_000_000)));
    }

    [Fact]
    public void OomBadness_SharedMmCountsForEverySharer()
    {
        var m = TestMachines.Machine();
        var owner = m.Add(100, anon: 700, file: 20);
        var sharer = m.AddSharer(101, owner: 100);

        Assert.Equal(720, m.Killer.OomBadness(owner, new Pages(1_000_000)));
        Assert.Equal(720, m.Killer.OomBadness(sharer, new Pages(1_000_000)));
    }

    [Fact]
    public void OomBadness_GlobalInitIsLongMin()
    {
        var m = TestMachines.Machine();
        var init = m.Add(1, anon: 5000, name: "systemd");

        Assert.True(init.IsGlobalInit);
        Assert.Equal(long.MinValue, m.Killer.OomBadness(init, new Pages(1_000_000)));
        Assert.True(OomKiller.OomUnkillableTask(init));
    }

    [Fact]
    public void OomBadness_KernelThreadIsLongMin()
    {
        var m = TestMachines.Machine();
        var k = m.Add(2, name: "kthreadd", with: s => s.KernelThread = true);

        Assert.Equal(long.MinValue, m.Killer.OomBadness(k, new Pages(1_000_000)));
        Assert.True(OomKiller.OomUnkillableTask(k));
    }

    [Fact]
    public void OomBadness_AllThreadsDetachedIsLongMin()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 5000, with: s => { s.Threads = 3; s.DetachedThreads = 3; });

        Assert.Equal(-1, OomKiller.FindLockTaskMm(t));
        Assert.Equal(long.MinValue, m.Killer.OomBadness(t, new Pages(1_000_000)));
    }

    [Fact]
    public void FindLockTaskMm_ReturnsFirstThreadStillHoldingTheMm()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 5000, with: s => { s.Threads = 4; s.DetachedThreads = 2; });

        // threads 100 (leader), 101, 102, 103; the leader and 101 dropped the mm
        Assert.Equal(102, OomKiller.FindLockTaskMm(t));
        Assert.Equal(5000, m.Killer.OomBadness(t, new Pages(1_000_000)));
    }

    [Fact]
    public void OomBadness_AdjMinIsLongMin()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 5000, adj: -1000);

        Assert.Equal(long.MinValue, m.Killer.OomBadness(t, new Pages(1_000_000)));
    }

    [Fact]
    public void OomBadness_MmOomSkipIsLongMin()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 5000, with: s => s.OomSkip = true);

        Assert.Equal(long.MinValue, m.Killer.OomBadness(t, new Pages(1_000_000)));
    }

    [Fact]
    public void OomBadness_InVforkIsLongMin()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 5000, with: s => s.InVfork = true);

        Assert.Equal(long.MinValue, m.Killer.OomBadness(t, new Pages(1_000_000)));
    }

    [Fact]
    public void OomBadness_SharerOfReapedMmIsLongMin()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 5000, with: s => s.OomSkip = true);
        var sharer = m.AddSharer(101, owner: 100);

        Assert.Equal(long.MinValue, m.Killer.OomBadness(sharer, new Pages(1_000_000)));
    }

    // ---- fs/proc/base.c proc_oom_score: (1000 + badness*1000/totalpages) * 2 / 3, global totalpages ----

    [Fact]
    public void ProcOomScore_TinyRssAdjZeroReads666()
    {
        var m = TestMachines.Machine(ram: 900_000, swap: 100_000);
        var t = m.Add(100, anon: 10);

        Assert.Equal(666, m.Killer.ProcOomScore(t));
    }

    [Fact]
    public void ProcOomScore_TinyRssAdjMaxReads1333WhenTotalIsAMultipleOf1000()
    {
        var m = TestMachines.Machine(ram: 900_000, swap: 100_000);
        var t = m.Add(100, anon: 10, adj: 1000);

        // badness 10 + 1000*1000 = 1000010; 1000010*1000/1000000 = 1000; 2000*2/3 = 1333
        Assert.Equal(1333, m.Killer.ProcOomScore(t));
    }

    [Fact]
    public void ProcOomScore_TinyRssAdjMaxReads1332WhenTotalIsNot()
    {
        var m = TestMachines.Machine(ram: 1_000_999);
        var t = m.Add(100, anon: 10, adj: 1000);

        // badness 1000010; 1000010000/1000999 = 999; 1999*2/3 = 1332
        Assert.Equal(1332, m.Killer.ProcOomScore(t));
    }

    [Fact]
    public void ProcOomScore_AdjMinus999WithNoRssReads0()
    {
        var m = TestMachines.Machine(ram: 1_000_000);
        var t = m.Add(100, anon: 0, adj: -999);

        // badness -999000; -999; (1000-999)*2/3 = 0
        Assert.Equal(0, m.Killer.ProcOomScore(t));
    }

    [Fact]
    public void ProcOomScore_NegativeQuotientTruncatesTowardZero()
    {
        var m = TestMachines.Machine(ram: 1_000_000);
        var t = m.Add(100, anon: 10, adj: -999);

        // badness -998990; -998990000/1000000 = -998 (C truncation, not -999); 2*2/3 = 1
        Assert.Equal(1, m.Killer.ProcOomScore(t));
    }

    [Fact]
    public void ProcOomScore_UnkillableTasksRead0()
    {
        var m = TestMachines.Machine(ram: 1_000_000);
        var init = m.Add(1, anon: 500_000);
        var kthread = m.Add(2, with: s => s.KernelThread = true);
        var pinned = m.Add(100, anon: 500_000, adj: -1000);
        var reaped = m.Add(101, anon: 500_000, with: s => s.OomSkip = true);
        var vfork = m.Add(102, anon: 500_000, with: s => s.InVfork = true);

        Assert.Equal(0, m.Killer.ProcOomScore(init));
        Assert.Equal(0, m.Killer.ProcOomScore(kthread));
        Assert.Equal(0, m.Killer.ProcOomScore(pinned));
        Assert.Equal(0, m.Killer.ProcOomScore(reaped));
        Assert.Equal(0, m.Killer.ProcOomScore(vfork));
    }

    [Fact]
    public void ProcOomScore_HalfOfMemoryReads1000()
    {
        var m = TestMachines.Machine(ram: 600_000, swap: 400_000);
        var t = m.Add(100, anon: 300_000, swap: 200_000);

        // badness 500000 of 1000000 -> 500; 1500*2/3 = 1000
        Assert.Equal(1000, m.Killer.ProcOomScore(t));
    }

    [Fact]
    public void ProcOomScore_AllMemoryAndAdjMaxReads2000()
    {
        var m = TestMachines.Machine(ram: 1_000_000);
        var t = m.Add(100, anon: 1_000_000, adj: 1000);

        Assert.Equal(2000, m.Killer.ProcOomScore(t));
    }

    [Fact]
    public void ProcOomScore_UsesGlobalTotalEvenInsideALimitedMemcg()
    {
        var m = TestMachines.Machine(ram: 1_000_000);
        m.CreateCgroup("/small", memoryMax: new Pages(1000));
        var t = m.Add(100, anon: 500_000, cgroup: "/small");

        Assert.Equal(1000, m.Killer.ProcOomScore(t));
    }
}
