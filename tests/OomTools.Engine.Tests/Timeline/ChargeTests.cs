using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Timeline;

/// <summary>
/// The charge path: try_charge_memcg up the memcg chain (the lowest cgroup over its limit is the OOM's memcg,
/// mem_cgroup_out_of_memory after a margin check), the page allocator's __alloc_pages_may_oom when RAM runs
/// out, out_of_memory with the allocating task as current, and the wait for the victim on the timeline.
/// </summary>
public class ChargeTests
{
    private const long Boot = 25000;

    /// <summary>/app limited to 1000 pages: big (600) and grower (300) in it; RAM plentiful.</summary>
    private static OomMachine AppCgroup(out OomTask big, out OomTask grower, out MemoryCgroup app)
    {
        var m = TestMachines.Machine();
        app = m.CreateCgroup("/app", memoryMax: new Pages(1000));
        big = m.Add(200, anon: 600, name: "big", cgroup: "/app");
        grower = m.Add(201, anon: 300, name: "grower", cgroup: "/app");
        return m;
    }

    [Fact]
    public void TryChargeMemcg_AnUnmeasuredUsageFollowsProcessesAddedAfterACharge()
    {
        var m = AppCgroup(out _, out var grower, out var app);
        Assert.Equal(ChargeResult.Charged, m.PageAllocator.Charge(grower, new Pages(50), null));

        m.Add(202, anon: 40, name: "late", cgroup: "/app");

        Assert.Equal(990, MemCgroups.MemoryCurrent(app).Value);            // 600 + 350 + 40
        Assert.Equal(990, m.MemoryInUse().Value);                     // the machine's anonymous pages, the same three
        var outcomes = new List<OomOutcome>();
        Assert.Equal(ChargeResult.Charged, m.PageAllocator.Charge(grower, new Pages(11), outcomes));
        Assert.Single(outcomes);                                // 990 + 11 > 1000: the late process counts
    }

    [Fact]
    public void TryChargeMemcg_ChargeThatFitsExactlyUnderTheLimitNeedsNoOom()
    {
        var m = AppCgroup(out _, out var grower, out var app);
        var outcomes = new List<OomOutcome>();

        Assert.Equal(ChargeResult.Charged, m.PageAllocator.Charge(grower, new Pages(100), outcomes));

        Assert.Empty(outcomes);
        Assert.Equal(1000, MemCgroups.MemoryCurrent(app).Value);
        Assert.Equal(400, grower.AnonPages.Value);
        Assert.Equal(Boot, m.Jiffies);
    }

    [Fact]
    public void MemCgroupOutOfMemory_LimitHitRunsAMemcgOomWithTheTaskAsCurrent()
    {
        var m = AppCgroup(out var big, out var grower, out var app);
        var outcomes = new List<OomOutcome>();

        Assert.Equal(ChargeResult.Charged, m.PageAllocator.Charge(grower, new Pages(200), outcomes));

        var o = Assert.Single(outcomes);
        Assert.Same(app, o.Memcg);
        Assert.Same(grower, o.Current);
        Assert.Equal(OomConstraint.Memcg, o.Constraint);
        Assert.Same(big, o.Victim);                       // 600 points against grower's 400 (300 + the 100 that fitted)
        Assert.Equal(600, o.VictimPoints);
        Assert.Contains(o.Log, e => e.Text.StartsWith("grower invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0", System.StringComparison.Ordinal));
        // The charge waited for big's exit (5 jiffies), then took the other 100 pages.
        Assert.Equal(Boot + 5, m.Jiffies);
        Assert.Null(m.FindTask(200));
        Assert.Equal(500, grower.AnonPages.Value);
        Assert.Equal(500, MemCgroups.MemoryCurrent(app).Value);
    }

    [Fact]
    public void MemCgroupOutOfMemory_TheAllocatingTaskKilledItself()
    {
        var m = TestMachines.Machine();
        var app = m.CreateCgroup("/app", memoryMax: new Pages(1000));
        m.Add(200, anon: 100, name: "small", cgroup: "/app");
        var grower = m.Add(201, anon: 800, name: "grower", cgroup: "/app");
        var outcomes = new List<OomOutcome>();

        Assert.Equal(ChargeResult.Killed, m.PageAllocator.Charge(grower, new Pages(200), outcomes));

        var o = Assert.Single(outcomes);
        Assert.Same(grower, o.Victim);
        Assert.Same(grower, o.Current);
        Assert.True(grower.GroupExiting);
        Assert.Equal(900, grower.AnonPages.Value);        // 100 pages fitted before the OOM
        Assert.Equal(Boot, m.Jiffies);                    // a killed allocator does not wait
    }

    [Fact]
    public void TryChargeMemcg_V1MemswLimitIsHitBeforeMemoryMax()
    {
        // v1: memory.limit 1000, memsw.limit 1000 + 100 = 1100. swappy has 800 resident and 250 swapped out,
        // small 10 resident: memsw usage 1060, so only 40 more pages fit although memory usage (810) is far
        // from 1000. The 41st page OOMs the cgroup, and swappy (840 + 250 swap = 1090 points) dies.
        var m = TestMachines.Machine(swap: 100_000, cgroups: CgroupVersion.V1);
        var v1 = m.CreateCgroup("/v1", memoryMax: new Pages(1000), swapMax: new Pages(100));
        Assert.Equal(1100, v1.MemswMax.Value);
        var t = m.Add(300, anon: 800, swap: 250, name: "swappy", cgroup: "/v1");
        m.Add(301, anon: 10, name: "small", cgroup: "/v1");
        var outcomes = new List<OomOutcome>();

        var result = m.PageAllocator.Charge(t, new Pages(100), outcomes);

        var o = outcomes.First();
        Assert.Same(v1, o.Memcg);
        Assert.Same(t, o.Victim);
        Assert.Equal(ChargeResult.Killed, result);
        Assert.Equal(840, t.AnonPages.Value);
        Assert.Equal(1090, o.VictimPoints);
    }

    [Fact]
    public void AllocPagesMayOom_RamRunningOutRunsAGlobalOomWithTheTaskAsCurrent()
    {
        // 10000 pages of RAM, 9000 used: 1000 fit, then the page allocator OOMs.
        var m = TestMachines.Machine(ram: 10_000);
        var hog = m.Add(100, anon: 6000, name: "hog");
        var grower = m.Add(101, anon: 3000, name: "grower");
        Assert.Equal(1000, m.PageAllocator.FreePages().Value);
        var outcomes = new List<OomOutcome>();

        Assert.Equal(ChargeResult.Charged, m.PageAllocator.Charge(grower, new Pages(1500), outcomes));

        var o = Assert.Single(outcomes);
        Assert.Null(o.Memcg);
        Assert.Equal(OomConstraint.None, o.Constraint);
        Assert.Same(grower, o.Current);
        Assert.Same(hog, o.Victim);
        Assert.Equal(GfpMask.HighUserMovable, o.GfpMask);
        Assert.Equal(Boot + 5, m.Jiffies);
        Assert.Equal(4500, grower.AnonPages.Value);
        Assert.Equal(4500, m.MemoryInUse().Value);
        Assert.Equal(5500, m.PageAllocator.FreePages().Value);
    }

    [Fact]
    public void OutOfMemory_DisabledKillerMakesTheChargeFailWithEnomem()
    {
        var m = TestMachines.Machine(ram: 10_000);
        m.Add(100, anon: 6000, name: "hog");
        var grower = m.Add(101, anon: 3000, name: "grower");
        Assert.True(m.Killer.OomKillerDisable(Jiffies.Zero, m.Timeline));
        var outcomes = new List<OomOutcome>();

        Assert.Equal(ChargeResult.NoMemory, m.PageAllocator.Charge(grower, new Pages(1500), outcomes));

        Assert.Empty(outcomes);
        Assert.Equal(4000, grower.AnonPages.Value);       // what fitted stays charged
        Assert.Equal(0, m.OomKillCount);
    }

    [Fact]
    public void Charge_NothingKillableInTheMemcgIsEnomem()
    {
        var m = TestMachines.Machine();
        var app = m.CreateCgroup("/app", memoryMax: new Pages(1000));
        var t = m.Add(200, anon: 1000, adj: -1000, name: "pinned", cgroup: "/app");
        var outcomes = new List<OomOutcome>();

        Assert.Equal(ChargeResult.NoMemory, m.PageAllocator.Charge(t, new Pages(1), outcomes));

        var o = Assert.Single(outcomes);
        Assert.Null(o.Victim);
        Assert.False(o.Result);
        Assert.Null(m.PanicMessage);                      // no panic for a memcg OOM
    }

    [Fact]
    public void Charge_WaitsThroughAnAbortedOomForAStuckVictim()
    {
        // The victim holds mmap_lock for 1 s: its exit is blocked, the retried OOM aborts, and the charge goes
        // through once the lock is released and the victim exits at +1 s.
        var m = AppCgroup(out var big, out var grower, out var app);
        big.Mm!.MmapLockReleaseAt = Boot + 250;
        var outcomes = new List<OomOutcome>();

        Assert.Equal(ChargeResult.Charged, m.PageAllocator.Charge(grower, new Pages(200), outcomes));

        Assert.Equal(2, outcomes.Count);
        Assert.Same(big, outcomes[0].Victim);
        Assert.True(outcomes[1].Aborted);
        Assert.Same(big, outcomes[1].AbortedBy);
        Assert.Equal(Boot + 250, m.Jiffies);
        Assert.Equal(500, grower.AnonPages.Value);
    }

    [Fact]
    public void Allocate_AtARateRecordsTheTimelineOfTheStorm()
    {
        // 100 pages per jiffy into /app (1000 pages, 900 used): the first tick fits 100, the second OOMs.
        var m = AppCgroup(out var big, out var grower, out _);

        var events = m.PageAllocator.Allocate(grower, new Pages(300), pagesPerTick: 100, tick: new Jiffies(1));

        Assert.Equal(new[]
        {
            (Boot, TimelineEventKind.Allocated, 201),
            (Boot + 1, TimelineEventKind.OutOfMemory, 201),
            (Boot + 6, TimelineEventKind.Exit, 200),
            (Boot + 6, TimelineEventKind.Allocated, 201),
            (Boot + 7, TimelineEventKind.Allocated, 201),
        }, events.Select(e => (e.Jiffies, e.Kind, e.Pid)));
        Assert.Equal("allocated 100 pages (100 of 300)", events[0].Text);
        Assert.Equal("memcg /app OOM: Killed 200 (big) with 600 points of 1000 pages.", events[1].Text);
        Assert.Same(big, events[1].Outcome!.Victim);
        Assert.Equal("allocated 100 pages (300 of 300)", events[4].Text);
        Assert.Equal(600, grower.AnonPages.Value);
    }

    [Fact]
    public void Allocate_KilledAllocatorEndsWithAllocationFailed()
    {
        var m = TestMachines.Machine();
        m.CreateCgroup("/app", memoryMax: new Pages(1000));
        m.Add(200, anon: 100, name: "small", cgroup: "/app");
        var grower = m.Add(201, anon: 800, name: "grower", cgroup: "/app");

        var events = m.PageAllocator.Allocate(grower, new Pages(500));

        Assert.Equal(new[] { TimelineEventKind.OutOfMemory, TimelineEventKind.AllocationFailed }, events.Select(e => e.Kind));
        Assert.Equal("the allocating task was killed", events[1].Text);
        Assert.Equal(500, events[1].Pages);
    }
}
