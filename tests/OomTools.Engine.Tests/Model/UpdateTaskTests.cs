using System.Linq;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>
/// OomMachine.UpdateTask, AddTask's counterpart: only what the update sets changes, everything is checked before
/// anything changes, and times in ms become jiffies at the machine's HZ. The machines run at HZ=250 from 100 s
/// after boot: jiffy 25000, one jiffy = 4 ms.
/// </summary>
public class UpdateTaskTests
{
    private const long Boot = 25000;

    private static OomMachine TwoTasks(out OomTask web, out OomTask db)
    {
        var m = TestMachines.Machine();
        m.CreateCgroup("/batch");
        m.CreateCpuset("/node0", new NodeMask(1));
        web = m.Add(100, anon: 1000, file: 20, name: "web");
        db = m.Add(101, anon: 3000, name: "db");
        return m;
    }

    private static string State(OomMachine m) => string.Join("; ", m.Tasks.Select(t =>
        $"{t.Pid} adj={t.OomScoreAdj.Value} min={t.OomScoreAdjMin.Value} anon={t.AnonPages} file={t.FilePages} memcg={t.Memcg.Path} " +
        $"cpuset={t.Cpuset.Path} exiting={t.Exiting} latency={t.ExitLatencyJiffies}"));

    [Fact]
    public void UpdateTask_ChangesOnlyWhatTheUpdateSets()
    {
        var m = TwoTasks(out var web, out var db);

        var result = m.UpdateTask(web, new OomTaskUpdate { AnonPages = new Pages(5000), Cgroup = "/batch", Exiting = true });

        Assert.Same(web, result);
        Assert.Equal(new Pages(5000), web.AnonPages);
        Assert.Equal(new Pages(20), web.FilePages);
        Assert.Equal("/batch", web.Memcg.Path);
        Assert.Same(web, m.GetCgroup("/batch").Tasks.Last());
        Assert.Equal("/", web.Cpuset.Path);
        Assert.True(web.Exiting);
        Assert.False(web.GroupExiting);
        Assert.Equal(0, web.OomScoreAdj.Value);
        Assert.Equal(new Pages(3000), db.AnonPages);
    }

    [Fact]
    public void UpdateTask_OomScoreAdjIsAPrivilegedWriteThatSetsTheMinToo_ThenOomScoreAdjMinApplies()
    {
        var m = TwoTasks(out var web, out _);

        m.UpdateTask(web, new OomTaskUpdate { OomScoreAdj = OomScoreAdj.From(-500) });
        Assert.Equal((-500, -500), (web.OomScoreAdj.Value, web.OomScoreAdjMin.Value));

        m.UpdateTask(web, new OomTaskUpdate { OomScoreAdj = OomScoreAdj.From(300), OomScoreAdjMin = OomScoreAdj.From(-100) });
        Assert.Equal((300, -100), (web.OomScoreAdj.Value, web.OomScoreAdjMin.Value));
    }

    [Fact]
    public void UpdateTask_OomScoreAdjReachesEveryProcessSharingTheMm()
    {
        var m = TestMachines.Machine();
        var owner = m.Add(100, anon: 1000);
        var sharer = m.AddSharer(101, owner: 100);

        m.UpdateTask(owner, new OomTaskUpdate { OomScoreAdj = OomScoreAdj.From(700), SwapEntries = new Pages(40) });

        Assert.Equal(700, sharer.OomScoreAdj.Value);
        Assert.Equal(new Pages(40), sharer.SwapEntries);
    }

    [Fact]
    public void UpdateTask_AFalseFlagClearsTheStateAndAnUnsetOneLeavesIt()
    {
        var m = TwoTasks(out var web, out _);
        m.UpdateTask(web, new OomTaskUpdate { Frozen = true, InVfork = true, OomOrigin = true });

        m.UpdateTask(web, new OomTaskUpdate { Frozen = false });

        Assert.False(web.Frozen);
        Assert.True(web.InVfork);
        Assert.True(web.OomOrigin);
    }

    [Fact]
    public void UpdateTask_AMissingCgroupChangesNothing()
    {
        var m = TwoTasks(out var web, out _);
        var before = State(m);

        var e = Assert.Throws<OomEngineException>(() =>
            m.UpdateTask(web, new OomTaskUpdate { OomScoreAdj = OomScoreAdj.From(5), AnonPages = new Pages(9), Cgroup = "/nope" }));

        Assert.Equal(OomError.CgroupNotFound, e.Error);
        Assert.Equal(before, State(m));
    }

    [Fact]
    public void UpdateTask_AMissingCpusetIsCpusetNotFound()
    {
        var m = TwoTasks(out var web, out _);

        var e = Assert.Throws<OomEngineException>(() => m.UpdateTask(web, new OomTaskUpdate { Cpuset = "/nocpus" }));

        Assert.Equal(OomError.CpusetNotFound, e.Error);
        Assert.Equal("/nocpus", e.Target);
    }

    [Fact]
    public void UpdateTask_ATaskOfAnotherMachineIsTaskNotFound()
    {
        var m = TwoTasks(out _, out _);
        var other = TestMachines.Machine();
        var foreign = other.Add(100, anon: 1);

        var e = Assert.Throws<OomEngineException>(() => m.UpdateTask(foreign, new OomTaskUpdate { OomScoreAdj = OomScoreAdj.From(5) }));

        Assert.Equal(OomError.TaskNotFound, e.Error);
        Assert.Equal("Process 100 (task100) is not on machine 'test'.", e.Message);
        Assert.Equal(0, m.FindTask(100)!.OomScoreAdj.Value);
    }

    [Fact]
    public void UpdateTask_ANegativeSizeIsNegativeSizeAndChangesNothing()
    {
        var m = TwoTasks(out var web, out _);
        var before = State(m);

        var swap = Assert.Throws<OomEngineException>(() => m.UpdateTask(web, new OomTaskUpdate { OomScoreAdj = OomScoreAdj.From(5), SwapEntries = new Pages(-1) }));
        var pgtables = Assert.Throws<OomEngineException>(() => m.UpdateTask(web, new OomTaskUpdate { PageTableBytes = -1 }));

        Assert.Equal((OomError.NegativeSize, "The swap cannot be negative (-1 pages)."), (swap.Error, swap.Message));
        Assert.Equal((OomError.NegativeSize, "Page-table bytes cannot be negative (-1)."), (pgtables.Error, pgtables.Message));
        Assert.Equal(before, State(m));
    }

    [Fact]
    public void UpdateTask_MemoryCountersOfAProcessWithoutAnMmAreInvalidState()
    {
        var m = TestMachines.Machine();
        var kthread = m.Add(2, name: "kthreadd", with: s => s.KernelThread = true);

        var e = Assert.Throws<OomEngineException>(() => m.UpdateTask(kthread, new OomTaskUpdate { AnonPages = new Pages(256) }));

        Assert.Equal(OomError.InvalidState, e.Error);
        Assert.Equal(2, e.Target);
    }

    [Fact]
    public void UpdateTask_LockAndNotifierChangesNeedNoMmAndDoNothingWithoutOne()
    {
        var m = TestMachines.Machine();
        var kthread = m.Add(2, name: "kthreadd", with: s => s.KernelThread = true);

        m.UpdateTask(kthread, new OomTaskUpdate { HoldMmapLock = new Milliseconds(1000), MmuNotifierBlocks = true });

        Assert.Null(kthread.Mm);
    }

    [Fact]
    public void UpdateTask_ANegativeTimeIsInvalidArgument()
    {
        var m = TwoTasks(out var web, out _);

        var e = Assert.Throws<OomEngineException>(() => m.UpdateTask(web, new OomTaskUpdate { ExitLatency = new Milliseconds(-1) }));

        Assert.Equal(OomError.InvalidArgument, e.Error);
        Assert.Null(web.ExitLatencyJiffies);
    }

    [Theory]
    [InlineData(250, 200, 50)]
    [InlineData(1000, 200, 200)]
    [InlineData(100, 200, 20)]
    [InlineData(250, 3, 0)]
    public void UpdateTask_ExitLatencyInMsBecomesJiffiesAtTheMachinesHz(int hz, long ms, long jiffies)
    {
        var m = TwoTasks(out var web, out _);
        m.Hz = hz;

        m.UpdateTask(web, new OomTaskUpdate { ExitLatency = new Milliseconds(ms) });

        Assert.Equal(jiffies, web.ExitLatencyJiffies);
    }

    [Fact]
    public void UpdateTask_HoldMmapLockHoldsItFromNowAndZeroReleasesIt()
    {
        var m = TwoTasks(out var web, out _);
        Assert.Equal(Boot, m.Jiffies);

        m.UpdateTask(web, new OomTaskUpdate { HoldMmapLock = new Milliseconds(1000) });
        Assert.Equal(Boot + 250, web.Mm!.MmapLockReleaseAt);

        m.UpdateTask(web, new OomTaskUpdate { HoldMmapLock = Milliseconds.Zero });
        Assert.Null(web.Mm.MmapLockReleaseAt);
    }

    [Fact]
    public void UpdateTask_CoreDumpForDumpsUntilThenAndZeroEndsTheDump_OverridingCoreDumping()
    {
        var m = TwoTasks(out var web, out _);

        m.UpdateTask(web, new OomTaskUpdate { CoreDumpFor = new Milliseconds(400) });
        Assert.True(web.CoreDumping);
        Assert.Equal(Boot + 100, web.CoreDumpUntil);

        m.UpdateTask(web, new OomTaskUpdate { CoreDumping = true, CoreDumpFor = Milliseconds.Zero });
        Assert.False(web.CoreDumping);
        Assert.Null(web.CoreDumpUntil);
    }

    [Fact]
    public void UpdateTask_AProcessSentSigkillGoesOnToExitAfterItsLatency()
    {
        var m = TwoTasks(out var web, out _);
        Assert.Equal((null, 0), m.NextDue());

        m.UpdateTask(web, new OomTaskUpdate { GroupExiting = true, ExitLatency = new Milliseconds(40) });

        Assert.Equal((new Jiffies(Boot + 10), 1), m.NextDue());
        var exit = Assert.Single(m.Timeline.StepBy(new Milliseconds(40)));
        Assert.Equal((TimelineEventKind.Exit, 100), (exit.Kind, exit.Pid));
        Assert.Null(m.FindTask(100));
    }

    [Fact]
    public void CheckUpdate_ThrowsWhatUpdateTaskWouldAndChangesNothing()
    {
        var m = TwoTasks(out var web, out _);
        var before = State(m);

        m.CheckUpdate(web, new OomTaskUpdate { OomScoreAdj = OomScoreAdj.From(900), AnonPages = new Pages(4), Cgroup = "/batch", Exiting = true });
        var e = Assert.Throws<OomEngineException>(() => m.CheckUpdate(web, new OomTaskUpdate { Cgroup = "/nope" }));

        Assert.Equal(OomError.CgroupNotFound, e.Error);
        Assert.Equal(before, State(m));
    }
}
