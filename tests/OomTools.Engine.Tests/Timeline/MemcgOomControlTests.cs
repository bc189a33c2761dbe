using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Timeline;

/// <summary>
/// cgroup v1 memory.oom_control: with oom_kill_disable set a memcg OOM kills nothing and prints nothing; the
/// charging task sleeps (mem_cgroup_oom_synchronize, under_oom 1) until memcg1_oom_recover wakes it — the limit
/// raised, memory uncharged, oom_kill_disable cleared — and the charge is tried again. And the counters:
/// memory.events oom (MEMCG_OOM, counted in mem_cgroup_oom), oom_kill, oom_group_kill.
/// </summary>
public class MemcgOomControlTests
{
    /// <summary>v1: /app limited to 1000 pages with oom_kill_disable; big (600) and grower (300) in it.</summary>
    private static OomMachine Disabled(out OomTask big, out OomTask grower, out MemoryCgroup app, string cgroup = "/app")
    {
        var m = TestMachines.Machine(cgroups: CgroupVersion.V1);
        app = m.CreateCgroup("/app", memoryMax: new Pages(1000));
        if (cgroup != "/app") m.CreateCgroup(cgroup);
        m.MemCgroups.MemCgroupOomControlWrite(app, true);
        big = m.Add(200, anon: 600, name: "big", cgroup: "/app");
        grower = m.Add(201, anon: 300, name: "grower", cgroup: cgroup);
        return m;
    }

    [Fact]
    public void OomKillDisable_ChargeOverTheLimitWaitsKillsNothingAndPrintsNothing()
    {
        var m = Disabled(out var big, out var grower, out var app);
        var outcomes = new List<OomOutcome>();

        Assert.Equal(ChargeResult.Waiting, m.PageAllocator.Charge(grower, new Pages(200), outcomes));

        Assert.Empty(outcomes);
        Assert.Empty(m.Log.Entries);
        Assert.Same(big, m.FindTask(200));
        Assert.Equal(400, grower.AnonPages.Value);            // the 100 pages that fitted were charged
        var w = Assert.Single(m.MemcgOomWaiters);
        Assert.Same(grower, w.Task);
        Assert.Same(app, w.Memcg);
        Assert.Equal(100, w.PagesLeft.Value);
        Assert.True(app.UnderOom);
        Assert.Equal(1, app.Oom);
        Assert.Equal(0, app.OomKill);
        Assert.Equal("oom_kill_disable 1\nunder_oom 1\noom_kill 0\n", MemCgroups.MemCgroupOomControlRead(app));
    }

    [Fact]
    public void OomKillDisable_ClearingItWakesTheChargeWhichThenKills()
    {
        var m = Disabled(out var big, out var grower, out var app);
        m.PageAllocator.Charge(grower, new Pages(200), null);

        var events = m.PageAllocator.SetCgroup(app, null, oomKillDisable: false);

        var oom = Assert.Single(events, e => e.Kind == TimelineEventKind.OutOfMemory);
        Assert.Same(big, oom.Outcome!.Victim);
        Assert.Equal(TimelineEventKind.Allocated, events[^1].Kind);
        Assert.Null(m.FindTask(200));
        Assert.Equal(500, grower.AnonPages.Value);
        Assert.Empty(m.MemcgOomWaiters);
        Assert.False(app.UnderOom);
        Assert.Equal(2, app.Oom);                             // the wait, then the retry that killed
        Assert.Equal(1, app.OomKill);
        Assert.Equal("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n", MemCgroups.MemCgroupOomControlRead(app));
    }

    [Fact]
    public void OomKillDisable_RaisingTheLimitWakesTheChargeWithoutAKill()
    {
        var m = Disabled(out var big, out var grower, out var app);
        m.PageAllocator.Charge(grower, new Pages(200), null);

        var events = m.PageAllocator.SetCgroup(app, new Pages(1200), null);

        Assert.DoesNotContain(events, e => e.Kind == TimelineEventKind.OutOfMemory);
        Assert.Equal(TimelineEventKind.Allocated, Assert.Single(events).Kind);
        Assert.Same(big, m.FindTask(200));
        Assert.Equal(500, grower.AnonPages.Value);
        Assert.False(app.UnderOom);
        Assert.True(app.OomKillDisable);
        Assert.Equal(1, app.Oom);
        Assert.Equal(0, app.OomKill);
    }

    [Fact]
    public void OomKillDisable_AnExitInTheCgroupWakesTheChargeAndItFits()
    {
        var m = Disabled(out var big, out var grower, out var app);
        m.PageAllocator.Charge(grower, new Pages(200), null);

        m.RemoveTask(big);
        Assert.True(Assert.Single(m.MemcgOomWaiters).Woken);
        Assert.False(app.UnderOom);
        var events = m.PageAllocator.RunWokenCharges();

        Assert.Equal(TimelineEventKind.Allocated, Assert.Single(events).Kind);
        Assert.Equal(500, grower.AnonPages.Value);
        Assert.Empty(m.MemcgOomWaiters);
        Assert.Equal(0, app.OomKill);
    }

    [Fact]
    public void OomKillDisable_APendingExitWakesTheSleepingChargeOnTheTimeline()
    {
        var m = Disabled(out var big, out var grower, out var app);
        big.GroupExiting = true;
        m.ScheduleExit(big);                                  // killed from outside: it exits after its latency

        Assert.Equal(ChargeResult.Charged, m.PageAllocator.Charge(grower, new Pages(200), null));

        Assert.Null(m.FindTask(200));
        Assert.Equal(500, grower.AnonPages.Value);
        Assert.Empty(m.MemcgOomWaiters);
        Assert.Equal(1, app.Oom);
        Assert.Equal(0, app.OomKill);
    }

    [Fact]
    public void OomKillDisable_AWokenChargeThatStillDoesNotFitWaitsAgainAndCountsAnotherOom()
    {
        var m = Disabled(out _, out var grower, out var app);
        var small = m.Add(202, anon: 40, name: "small", cgroup: "/app");   // 940 of 1000 charged
        m.PageAllocator.Charge(grower, new Pages(200), null);               // 60 fit, 140 wait

        m.RemoveTask(small);
        var events = m.PageAllocator.RunWokenCharges();

        Assert.Equal(TimelineEventKind.MemcgOomWait, Assert.Single(events).Kind);
        Assert.Equal(400, grower.AnonPages.Value);                          // 300 + 60 + the 40 freed
        Assert.Equal(100, Assert.Single(m.MemcgOomWaiters).PagesLeft.Value);
        Assert.True(app.UnderOom);
        Assert.Equal(2, app.Oom);
    }

    [Fact]
    public void Allocate_EndsWithAMemcgOomWaitEventCarryingWhatIsLeft()
    {
        var m = Disabled(out _, out var grower, out var app);

        var events = m.PageAllocator.Allocate(grower, new Pages(300), new Pages(10_000));

        var last = events[^1];
        Assert.Equal(TimelineEventKind.MemcgOomWait, last.Kind);
        Assert.Equal(200, last.Pages);                                       // 100 fitted of 300
        Assert.Contains("/app", last.Text, System.StringComparison.Ordinal);
        Assert.Equal(200, Assert.Single(m.MemcgOomWaiters).PagesLeft.Value);
        Assert.DoesNotContain(events, e => e.Kind is TimelineEventKind.OutOfMemory or TimelineEventKind.AllocationFailed);
    }

    [Fact]
    public void UnderOom_MarksTheSubtreeOfTheCgroupOverItsLimitOnly()
    {
        var m = Disabled(out _, out var grower, out var app, cgroup: "/app/sub");
        var other = m.CreateCgroup("/other");
        m.PageAllocator.Charge(grower, new Pages(200), null);

        var sub = m.GetCgroup("/app/sub");
        Assert.True(app.UnderOom);
        Assert.True(sub.UnderOom);
        Assert.False(other.UnderOom);
        Assert.False(m.RootMemcg.UnderOom);
        Assert.Same(app, Assert.Single(m.MemcgOomWaiters).Memcg);            // the OOM is /app's, not /app/sub's
        Assert.Equal(1, app.Oom);
        Assert.Equal(0, sub.Oom);                                             // v1 counts no ancestor or child
    }

    [Fact]
    public void OomKillDisable_IsInheritedByANewChildOnV1()
    {
        var m = TestMachines.Machine(cgroups: CgroupVersion.V1);
        var a = m.CreateCgroup("/a");
        m.MemCgroups.MemCgroupOomControlWrite(a, true);

        Assert.True(m.CreateCgroup("/a/b").OomKillDisable);
        Assert.False(m.CreateCgroup("/c").OomKillDisable);
    }

    [Fact]
    public void OomKillDisable_HasNoFileOnV2AndCannotBeSetOnTheRoot()
    {
        var v2 = TestMachines.Machine();
        var a = v2.CreateCgroup("/a");
        Assert.Throws<OomEngineException>(() => v2.MemCgroups.MemCgroupOomControlWrite(a, true));
        Assert.Throws<OomEngineException>(() => v2.PageAllocator.SetCgroup(a, null, true));
        var v1 = TestMachines.Machine(cgroups: CgroupVersion.V1);
        Assert.Throws<OomEngineException>(() => v1.MemCgroups.MemCgroupOomControlWrite(v1.RootMemcg, true));
    }

    [Fact]
    public void MemCgroupResizeMax_RefusesALimitBelowWhatIsCharged()
    {
        var m = Disabled(out _, out _, out var app);

        var e = Assert.Throws<OomEngineException>(() => m.MemCgroups.MemCgroupResizeMax(app, new Pages(800)));
        Assert.Equal(OomError.InvalidState, e.Error);
        m.MemCgroups.MemCgroupResizeMax(app, new Pages(950));                 // 900 charged: fits
        Assert.Equal(950, app.MemoryMax.Value);
    }

    [Fact]
    public void MemoryEvents_OomAndOomKillCountOnTheOomCgroupAndItsAncestorsOnV2()
    {
        var m = TestMachines.Machine();
        var p = m.CreateCgroup("/p");
        var app = m.CreateCgroup("/p/app", memoryMax: new Pages(1000));
        m.Add(200, anon: 600, name: "big", cgroup: "/p/app");
        var grower = m.Add(201, anon: 300, name: "grower", cgroup: "/p/app");

        Assert.Equal(ChargeResult.Charged, m.PageAllocator.Charge(grower, new Pages(200), null));

        Assert.Equal(1, app.Oom);
        Assert.Equal(1, app.OomKill);
        Assert.Equal(1, p.Oom);
        Assert.Equal(1, p.OomKill);
        Assert.Equal(0, m.RootMemcg.Oom);
        Assert.Equal(0, app.OomGroupKill);
    }

    [Fact]
    public void Clone_KeepsTheWaitersAndTheOomControlState()
    {
        var m = Disabled(out _, out var grower, out var app);
        m.PageAllocator.Charge(grower, new Pages(200), null);

        var copy = m.Clone();
        var w = Assert.Single(copy.MemcgOomWaiters);

        Assert.Same(copy.FindTask(201), w.Task);
        Assert.Same(copy.GetCgroup("/app"), w.Memcg);
        Assert.True(copy.GetCgroup("/app").UnderOom);
        Assert.True(copy.GetCgroup("/app").OomKillDisable);
        Assert.Equal(1, copy.GetCgroup("/app").Oom);
        copy.PageAllocator.SetCgroup(copy.GetCgroup("/app"), null, false);
        Assert.True(app.UnderOom);                                            // the original still waits
        Assert.Single(m.MemcgOomWaiters);
    }
    /// <summary>
    /// The real kernel (6.18, tests/fixtures/kernel-logs/shapes/oomdisable-1000.log): the lab's reads of
    /// memory.oom_control at each stage, against the model's at the same stage. Sizes are the task table's rows;
    /// the parent's usage is usage_in_bytes (full, 40960 pages, when the grower waits).
    /// </summary>
    [Fact]
    public void RealKernel_OomControlStagesOfOomdisable1000()
    {
        const string parentPath = "/lab/oomlab-25082-oomdisable-1000";
        var stages = ReadStages(Architecture.RepoPaths.Of("tests/fixtures/kernel-logs/shapes/oomdisable-1000.log"));
        var m = TestMachines.Machine(cgroups: CgroupVersion.V1);
        m.CreateCgroup("/lab");
        var parent = m.CreateCgroup(parentPath, memoryMax: new Pages(40960));
        var c0 = m.CreateCgroup(parentPath + "/c0");                        // made before oom_kill_disable was set
        m.MemCgroups.MemCgroupOomControlWrite(parent, true);
        m.Add(25256, anon: 6656, file: 366, shmem: 2304, pgtables: 126976, adj: 902, name: "holder", cgroup: parentPath);
        m.Add(25275, anon: 7680, file: 341, shmem: 768, pgtables: 114688, adj: 806, name: "holder", cgroup: parentPath);
        m.Add(25248, anon: 2328, file: 380, pgtables: 98304, name: "holder", cgroup: parentPath + "/c0");
        var grower = m.Add(25295, anon: 20992 - 64, file: 366, pgtables: 212992, adj: 624, name: "holder", cgroup: parentPath + "/c0");
        parent.Usage = new Pages(40960 - 64);

        Assert.Equal(stages["before the grower"][parentPath], MemCgroups.MemCgroupOomControlRead(parent));
        Assert.Equal(stages["before the grower"][c0.Path], MemCgroups.MemCgroupOomControlRead(c0));

        var waited = m.PageAllocator.Allocate(grower, new Pages(128));
        Assert.Equal(TimelineEventKind.MemcgOomWait, waited[^1].Kind);
        Assert.Empty(m.Log.Entries);                                       // the kernel printed nothing either
        Assert.Equal(stages["grower waits"][parentPath], MemCgroups.MemCgroupOomControlRead(parent));
        Assert.Equal(stages["grower waits"][c0.Path], MemCgroups.MemCgroupOomControlRead(c0));

        m.MemCgroups.MemCgroupOomControlWrite(parent, false);
        Assert.Equal(stages["oom_kill_disable cleared"][parentPath], MemCgroups.MemCgroupOomControlRead(parent));
        Assert.Equal(stages["oom_kill_disable cleared"][c0.Path], MemCgroups.MemCgroupOomControlRead(c0));

        var ran = m.PageAllocator.RunWokenCharges();
        var oom = Assert.Single(ran, e => e.Kind == TimelineEventKind.OutOfMemory);
        Assert.Equal(25295, oom.Outcome!.Victim!.Pid);                    // the kernel's victim: the grower itself
        Assert.Equal(stages["at the end"][parentPath], MemCgroups.MemCgroupOomControlRead(parent));   // v1: oom_kill on the victim's cgroup only
        Assert.Equal(stages["at the end"][c0.Path], MemCgroups.MemCgroupOomControlRead(c0));
    }

    /// <summary>The lab's "# stage: path memory.oom_control: k v k v k v, ..." lines, as memory.oom_control text per path.</summary>
    private static Dictionary<string, Dictionary<string, string>> ReadStages(string path)
    {
        var stages = new Dictionary<string, Dictionary<string, string>>();
        foreach (var line in System.IO.File.ReadLines(path).Where(l => l.StartsWith("# ", System.StringComparison.Ordinal) && l.Contains("memory.oom_control", System.StringComparison.Ordinal)))
        {
            int colon = line.IndexOf(": ", System.StringComparison.Ordinal);
            var byPath = stages[line.Substring(2, colon - 2)] = new Dictionary<string, string>();
            foreach (System.Text.RegularExpressions.Match x in System.Text.RegularExpressions.Regex.Matches(line,
                @"(/\S+) memory\.oom_control: oom_kill_disable (\d) under_oom (\d) oom_kill (\d+)"))
                byPath[x.Groups[1].Value] = $"oom_kill_disable {x.Groups[2].Value}\nunder_oom {x.Groups[3].Value}\noom_kill {x.Groups[4].Value}\n";
        }
        return stages;
    }
}
