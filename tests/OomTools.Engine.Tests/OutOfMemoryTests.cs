using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>out_of_memory(): its early returns, check_panic_on_oom(), oom_kill_allocating_task and the no-victim path.</summary>
public class OutOfMemoryTests
{
    private static OomMachine TwoTasks(out OomTask small, out OomTask big)
    {
        var m = TestMachines.Machine();
        small = m.Add(100, anon: 10, name: "small");
        big = m.Add(101, anon: 5000, name: "big");
        return m;
    }

    [Fact]
    public void OutOfMemory_KillsTheTaskWithMostPoints()
    {
        var m = TwoTasks(out _, out var big);

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.True(o.Result);
        Assert.Same(big, o.Victim);
        Assert.Equal(5000, o.VictimPoints);
        Assert.Equal(new[] { 101 }, o.Killed.Pids());
        Assert.Equal(OomConstraint.None, o.Constraint);
        Assert.Equal(1_000_000, o.TotalPages.Value);
        Assert.True(big.GroupExiting);
        Assert.Equal(1, m.OomKillCount);
    }

    // ---- early returns ----

    [Fact]
    public void OutOfMemory_ReturnsFalseWhenOomKillerDisabled()
    {
        var m = TwoTasks(out _, out var big);
        int notified = 0;
        m.OomNotifiers.Add(() => { notified++; return 0; });
        Assert.True(m.Killer.OomKillerDisable(Jiffies.Zero, m.Timeline));

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.False(o.Result);
        Assert.Empty(o.Killed);
        Assert.Empty(o.Log);
        Assert.False(big.GroupExiting);
        Assert.Equal(0, notified); // the disabled check comes before the notifier chain
    }

    [Fact]
    public void OutOfMemory_NotifierThatFreedPagesReturnsTrueWithoutKilling()
    {
        var m = TwoTasks(out _, out var big);
        m.OomNotifiers.Add(() => 0);
        m.OomNotifiers.Add(() => 3);

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.True(o.Result);
        Assert.Empty(o.Killed);
        Assert.Empty(o.Log);
        Assert.Null(o.Victim);
        Assert.False(big.GroupExiting);
    }

    [Fact]
    public void OutOfMemory_NotifierFreeingNothingGoesOnToKill()
    {
        var m = TwoTasks(out _, out _);
        int calls = 0;
        m.OomNotifiers.Add(() => { calls++; return 0; });

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.Equal(1, calls);
        Assert.Equal(new[] { 101 }, o.Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_SysrqKillsEvenWhenANotifierFreedPages()
    {
        var m = TwoTasks(out _, out _);
        m.OomNotifiers.Add(() => 100);

        var o = m.Killer.Invoke(TestMachines.Sysrq());

        Assert.True(o.Result);
        Assert.Equal(new[] { 101 }, o.Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_MemcgOomDoesNotCallNotifiers()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a", memoryMax: new Pages(1000));
        m.Add(100, anon: 500, cgroup: "/a");
        int calls = 0;
        m.OomNotifiers.Add(() => { calls++; return 100; });

        var o = m.Killer.Invoke(TestMachines.ForMemcg(a));

        Assert.Equal(0, calls);
        Assert.Equal(new[] { 100 }, o.Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_ExitingCurrentGetsReservesAndNothingIsKilled()
    {
        var m = TwoTasks(out _, out var big);
        var cur = m.Add(102, anon: 10, name: "dying", with: s => s.GroupExiting = true);

        var o = m.Killer.Invoke(TestMachines.Global(current: cur));

        Assert.True(o.Result);
        Assert.Empty(o.Killed);
        Assert.Empty(o.Log);
        Assert.True(cur.MemDie);
        Assert.Same(cur.Mm, cur.OomMm);
        Assert.True(cur.Mm!.Has(MmFlags.OomReapQueued));
        Assert.Equal(m.Jiffies + 2 * 250, cur.ReaperTimerExpires);
        Assert.Equal(1, m.OomVictims);
        Assert.False(big.GroupExiting);
        Assert.Equal(0, m.OomKillCount);
    }

    [Fact]
    public void OutOfMemory_ExitingCurrentIsCheckedBeforeTheGfpFsTest()
    {
        var m = TwoTasks(out _, out _);
        var cur = m.Add(102, anon: 10, with: s => s.Exiting = true);

        var o = m.Killer.Invoke(TestMachines.Global(current: cur, gfp: 0xc40 /* GFP_NOFS */));

        Assert.True(o.Result);
        Assert.True(cur.MemDie);
    }

    [Fact]
    public void OutOfMemory_ExitingCurrentInMemcgOomGetsReserves()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a", memoryMax: new Pages(1000));
        m.Add(100, anon: 500, cgroup: "/a");
        var cur = m.Add(101, anon: 10, cgroup: "/a", with: s => s.GroupExiting = true);

        var o = m.Killer.Invoke(TestMachines.ForMemcg(a, current: cur));

        Assert.True(o.Result);
        Assert.Empty(o.Killed);
        Assert.True(cur.MemDie);
    }

    [Fact]
    public void OutOfMemory_CoreDumpingCurrentIsNotTreatedAsExiting()
    {
        var m = TwoTasks(out _, out _);
        var cur = m.Add(102, anon: 10, with: s => { s.GroupExiting = true; s.CoreDumping = true; });

        var o = m.Killer.Invoke(TestMachines.Global(current: cur));

        Assert.False(cur.MemDie);
        Assert.Equal(new[] { 101 }, o.Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_GlobalWithoutGfpFsReturnsTrueWithoutKilling()
    {
        var m = TwoTasks(out _, out var big);

        var o = m.Killer.Invoke(TestMachines.Global(gfp: 0xc40 /* GFP_NOFS */));

        Assert.True(o.Result);
        Assert.Empty(o.Killed);
        Assert.Empty(o.Log);
        Assert.False(big.GroupExiting);
    }

    [Fact]
    public void OutOfMemory_MemcgWithoutGfpFsStillKills()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a", memoryMax: new Pages(1000));
        m.Add(100, anon: 500, cgroup: "/a");

        var o = m.Killer.Invoke(TestMachines.ForMemcg(a, gfp: 0xc40));

        Assert.True(o.Result);
        Assert.Equal(new[] { 100 }, o.Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_NodemaskIsDroppedUnlessMempolicyConstrained()
    {
        var m = TestMachines.Machine(ram: 1_000_000, nodes: new long[] { 600_000, 400_000 });
        m.Add(100, anon: 500);
        var oc = TestMachines.Global(nodemask: NodeMask.Of(0, 1));

        var o = m.Killer.Invoke(oc);

        Assert.Equal(OomConstraint.None, o.Constraint);
        Assert.Null(oc.Nodemask);
        Assert.Contains(o.Texts(), t => t.StartsWith("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),", System.StringComparison.Ordinal));
    }

    // ---- panic_on_oom ----

    [Fact]
    public void OutOfMemory_PanicOnOom1PanicsForUnconstrainedOom()
    {
        var m = TwoTasks(out _, out var big);
        m.PanicOnOom = 1;

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.Equal("Out of memory: system-wide panic_on_oom is enabled", o.Panic);
        Assert.Equal("Out of memory: system-wide panic_on_oom is enabled", m.PanicMessage);
        Assert.Empty(o.Killed);
        Assert.False(big.GroupExiting);
        Assert.Contains(o.Log, e => e.Level == KernelLogLevel.Emerg &&
            e.Text == "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled");
        Assert.StartsWith("kworker/0:1 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0", o.Texts()[0]);
        Assert.DoesNotContain(o.Texts(), t => t.StartsWith("oom-kill:", System.StringComparison.Ordinal));
    }

    [Fact]
    public void OutOfMemory_PanicOnOom1IgnoresMemcgOom()
    {
        var m = TestMachines.Machine();
        m.PanicOnOom = 1;
        var a = m.CreateCgroup("/a", memoryMax: new Pages(1000));
        m.Add(100, anon: 500, cgroup: "/a");

        var o = m.Killer.Invoke(TestMachines.ForMemcg(a));

        Assert.Null(o.Panic);
        Assert.Equal(new[] { 100 }, o.Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_PanicOnOom1IgnoresCpusetOom()
    {
        var m = TestMachines.Machine(ram: 1_000_000, nodes: new long[] { 600_000, 400_000 });
        m.PanicOnOom = 1;
        m.CreateCpuset("/c", NodeMask.Of(0), hardwall: true);
        var cur = m.Add(100, anon: 500, with: s => s.Cpuset = "/c");

        var o = m.Killer.Invoke(TestMachines.Global(current: cur, gfp: GfpMask.GFP_HIGHUSER_MOVABLE));

        Assert.Equal(OomConstraint.Cpuset, o.Constraint);
        Assert.Null(o.Panic);
        Assert.Equal(new[] { 100 }, o.Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_PanicOnOom1IgnoresMempolicyOom()
    {
        var m = TestMachines.Machine(ram: 1_000_000, nodes: new long[] { 600_000, 400_000 });
        m.PanicOnOom = 1;
        m.Add(100, anon: 500);

        var o = m.Killer.Invoke(TestMachines.Global(nodemask: NodeMask.Of(1)));

        Assert.Equal(OomConstraint.MemoryPolicy, o.Constraint);
        Assert.Null(o.Panic);
        Assert.Equal(new[] { 100 }, o.Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_PanicOnOom2PanicsForMemcgOom()
    {
        var m = TestMachines.Machine();
        m.PanicOnOom = 2;
        var a = m.CreateCgroup("/a", memoryMax: new Pages(1000));
        m.Add(100, anon: 500, cgroup: "/a");

        var o = m.Killer.Invoke(TestMachines.ForMemcg(a));

        Assert.Equal("Out of memory: compulsory panic_on_oom is enabled", o.Panic);
        Assert.Empty(o.Killed);
        Assert.False(o.Result);
    }

    [Fact]
    public void OutOfMemory_PanicOnOom2PanicsForUnconstrainedOom()
    {
        var m = TwoTasks(out _, out _);
        m.PanicOnOom = 2;

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.Equal("Out of memory: compulsory panic_on_oom is enabled", o.Panic);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void OutOfMemory_SysrqNeverPanicsOnPanicOnOom(int panicOnOom)
    {
        var m = TwoTasks(out _, out _);
        m.PanicOnOom = panicOnOom;

        var o = m.Killer.Invoke(TestMachines.Sysrq());

        Assert.Null(o.Panic);
        Assert.Null(m.PanicMessage);
        Assert.Equal(new[] { 101 }, o.Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_PanicComesAfterTheEarlyReturns()
    {
        var m = TwoTasks(out _, out _);
        m.PanicOnOom = 2;

        var o = m.Killer.Invoke(TestMachines.Global(gfp: 0xc40));

        Assert.True(o.Result);
        Assert.Null(o.Panic);
    }

    [Fact]
    public void OutOfMemory_PanickedMachineRefusesFurtherOoms()
    {
        var m = TwoTasks(out _, out _);
        m.PanicOnOom = 1;
        m.Killer.Invoke(TestMachines.Global());

        var ex = Assert.Throws<OomEngineException>(() => m.Killer.Invoke(TestMachines.Global()));
        Assert.Equal(OomError.InvalidState, ex.Error);
    }

    [Fact]
    public void PanicOnOom_RejectsValuesOutside0To2()
    {
        var m = TestMachines.Machine();
        var ex = Assert.Throws<OomEngineException>(() => m.PanicOnOom = 3);
        Assert.Equal(OomError.InvalidArgument, ex.Error);
        Assert.Equal(0, m.PanicOnOom);
    }

    // ---- oom_kill_allocating_task ----

    [Fact]
    public void OutOfMemory_KillAllocatingTaskKillsCurrentNotTheBiggest()
    {
        var m = TwoTasks(out var small, out var big);
        m.OomKillAllocatingTask = true;

        var o = m.Killer.Invoke(TestMachines.Global(current: small));

        Assert.True(o.Result);
        Assert.Same(small, o.Victim);
        Assert.Equal(new[] { 100 }, o.Killed.Pids());
        Assert.False(big.GroupExiting);
        Assert.Empty(o.Candidates); // no scan
        Assert.Contains(o.Texts(), t => t.StartsWith("Out of memory (oom_kill_allocating_task): Killed process 100 (small) ", System.StringComparison.Ordinal));
    }

    [Fact]
    public void OutOfMemory_KillAllocatingTaskDoesNotWaitForEarlierVictims()
    {
        var m = TwoTasks(out var small, out _);
        m.Add(102, anon: 10, with: s => s.OomVictim = true);
        m.OomKillAllocatingTask = true;

        var o = m.Killer.Invoke(TestMachines.Global(current: small));

        Assert.False(o.Aborted);
        Assert.Equal(new[] { 100 }, o.Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_KillAllocatingTaskSkipsCurrentWithAdjMin()
    {
        var m = TestMachines.Machine();
        var cur = m.Add(100, anon: 10, adj: -1000);
        m.Add(101, anon: 5000);
        m.OomKillAllocatingTask = true;

        var o = m.Killer.Invoke(TestMachines.Global(current: cur));

        Assert.Equal(new[] { 101 }, o.Killed.Pids());
        Assert.Contains(o.Texts(), t => t.StartsWith("Out of memory: Killed process 101 ", System.StringComparison.Ordinal));
    }

    [Fact]
    public void OutOfMemory_KillAllocatingTaskSkipsGlobalInitAndCurrentWithoutMm()
    {
        var m = TestMachines.Machine();
        var init = m.Add(1, anon: 10, name: "init");
        var noMm = m.Add(50, anon: 10, with: s => { s.Threads = 2; s.DetachedThreads = 2; });
        m.Add(101, anon: 5000);
        m.OomKillAllocatingTask = true;

        var o1 = m.Killer.Invoke(TestMachines.Global(current: init));
        Assert.Equal(new[] { 101 }, o1.Killed.Pids());
        m.RemoveTask(m.GetTask(101));
        m.Add(102, anon: 5000);

        var o2 = m.Killer.Invoke(TestMachines.Global(current: noMm));
        Assert.Equal(new[] { 102 }, o2.Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_KillAllocatingTaskDoesNotApplyToMemcgOom()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a", memoryMax: new Pages(10000));
        var cur = m.Add(100, anon: 10, cgroup: "/a");
        m.Add(101, anon: 5000, cgroup: "/a");
        m.OomKillAllocatingTask = true;

        var o = m.Killer.Invoke(TestMachines.ForMemcg(a, current: cur));

        Assert.Equal(new[] { 101 }, o.Killed.Pids());
    }

    // ---- nothing to kill ----

    [Fact]
    public void OutOfMemory_NoKillableProcessPanicsSystemDeadlockedForGlobalOom()
    {
        var m = TestMachines.Machine();
        m.Add(1, anon: 5000, name: "init");
        m.Add(100, anon: 5000, adj: -1000);

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.False(o.Result);
        Assert.Equal("System is deadlocked on memory", o.Panic);
        Assert.Contains(o.Log, e => e.Level == KernelLogLevel.Warning && e.Text == "Out of memory and no killable processes...");
        Assert.Contains(o.Log, e => e.Text == "Kernel panic - not syncing: System is deadlocked on memory");
        Assert.Empty(o.Killed);
        Assert.Contains(o.Texts(), t => t.Contains(" invoked oom-killer: ", System.StringComparison.Ordinal));
    }

    [Fact]
    public void OutOfMemory_NoKillableProcessInMemcgDoesNotPanic()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a", memoryMax: new Pages(1000));
        m.Add(100, anon: 500, adj: -1000, cgroup: "/a");

        var o = m.Killer.Invoke(TestMachines.ForMemcg(a));

        Assert.False(o.Result);
        Assert.Null(o.Panic);
        Assert.Contains("Out of memory and no killable processes...", o.Texts());
    }

    [Fact]
    public void OutOfMemory_NoKillableProcessForSysrqDoesNotPanic()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 500, adj: -1000);

        var o = m.Killer.Invoke(TestMachines.Sysrq());

        Assert.False(o.Result);
        Assert.Null(o.Panic);
        Assert.Contains("Out of memory and no killable processes...", o.Texts());
    }

    [Fact]
    public void OutOfMemory_AbortReturnsTrueAndKillsNothing()
    {
        var m = TestMachines.Machine();
        var old = m.Add(100, anon: 10, with: s => s.OomVictim = true);
        var big = m.Add(101, anon: 5000);

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.True(o.Result);
        Assert.True(o.Aborted);
        Assert.Same(old, o.AbortedBy);
        Assert.Null(o.Victim);
        Assert.Empty(o.Killed);
        Assert.Empty(o.Log);
        Assert.False(big.GroupExiting);
        Assert.Null(o.Panic);
    }

    [Fact]
    public void OutOfMemory_NextOomAfterTheVictimExitedKillsAgain()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 9000);
        m.Add(101, anon: 5000);
        var first = m.Killer.Invoke(TestMachines.Global());
        Assert.Equal(new[] { 100 }, first.Killed.Pids());

        var blocked = m.Killer.Invoke(TestMachines.Global());
        Assert.True(blocked.Aborted);

        m.RemoveTask(m.GetTask(100));
        var second = m.Killer.Invoke(TestMachines.Global());
        Assert.Equal(new[] { 101 }, second.Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_OomOriginVictimHasLongMaxPoints()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 900_000);
        m.Add(101, anon: 1, name: "swapoff", with: s => s.OomOrigin = true);

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.Equal(101, o.Victim!.Pid);
        Assert.Equal(long.MaxValue, o.VictimPoints);
    }

    // ---- pagefault_out_of_memory ----

    [Fact]
    public void PagefaultOutOfMemory_WarnsUnlessMemcgHandledOrFatalSignal()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10);
        var dying = m.Add(101, anon: 10, with: s => s.GroupExiting = true);

        Assert.False(m.Killer.PagefaultOutOfMemory(t, memcgOomHandled: true));
        Assert.False(m.Killer.PagefaultOutOfMemory(dying));
        Assert.True(m.Killer.PagefaultOutOfMemory(t));
        Assert.Equal("Huh VM_FAULT_OOM leaked out to the #PF handler. Retrying PF", m.Log.Entries[m.Log.Count - 1].Text);
    }
}
