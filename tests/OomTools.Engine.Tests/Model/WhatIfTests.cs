using System;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Serialization;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>
/// OomMachine.WhatIf: an OOM decided on the machine itself and undone, with the same outcome as on a clone and
/// the machine byte-identical afterwards (its document, and the kill marks the document may not show).
/// </summary>
public class WhatIfTests
{
    private static string State(OomMachine m) =>
        OomMachineJson.Write(m) + "\n" + string.Join("\n", m.Tasks.Select(t =>
            $"{t.Pid} {t.GroupExiting} {t.MemDie} {t.OomMm?.GetHashCode()} {t.Frozen} {t.ReaperTimer} {t.Mm?.Flags}")) +
        $"\nlog={m.Log.Count} victims={m.OomVictims} kills={m.OomKillCount} panic={m.PanicMessage} used={m.UsedPages} pending={m.PendingEvents}";

    /// <summary>The what-if's outcome equals the clone's, and the machine is as it was.</summary>
    private static OomOutcome Check(OomMachine m, Func<OomMachine, OomControl> control)
    {
        string before = State(m);
        var log = m.Log;
        var onClone = m.Clone().Killer.Invoke(control(m.Clone()));
        var whatIf = m.WhatIf(x => x.Killer.Invoke(control(x)));
        Assert.Equal(before, State(m));
        Assert.Same(log, m.Log);
        Assert.Equal(onClone.Victim?.Pid, whatIf.Victim?.Pid);
        Assert.Equal(onClone.VictimPoints, whatIf.VictimPoints);
        Assert.Equal(onClone.AllKilled.Select(t => t.Pid), whatIf.AllKilled.Select(t => t.Pid));
        Assert.Equal(onClone.Texts(), whatIf.Texts());
        Assert.Equal(onClone.Panic, whatIf.Panic);
        Assert.Equal(onClone.Reason, whatIf.Reason);
        Assert.Equal(onClone.Candidates.Select(c => (c.Pid, c.Points, c.Rank)), whatIf.Candidates.Select(c => (c.Pid, c.Points, c.Rank)));
        return whatIf;
    }

    private static OomMachine Box()
    {
        var m = TestMachines.Machine(ram: 100_000, swap: 10_000);
        m.Add(1, anon: 50, name: "init");
        m.Add(100, anon: 1000, name: "small");
        m.Add(200, anon: 30_000, name: "big", with: s => s.Frozen = true);
        m.AddSharer(201, 200, name: "vforked");
        m.Add(300, anon: 5000, name: "other");
        return m;
    }

    [Fact]
    public void AGlobalKillWithMmSharersIsUndone()
    {
        var o = Check(Box(), _ => TestMachines.Global());
        // The vforked child ties with its parent on the same mm and, later in the list, is chosen.
        Assert.Equal(new[] { 201, 200 }, o.AllKilled.Select(t => t.Pid));
    }

    [Fact]
    public void AnMmPinnedByInitIsUndone()
    {
        var m = Box();
        m.AddSharer(2, 200, name: "pinner");
        Check(m, _ => TestMachines.Global());
    }

    [Fact]
    public void AMemcgOomGroupKillAndItsEventsAreUndone()
    {
        var m = TestMachines.Machine(ram: 100_000);
        m.CreateCgroup("/svc", memoryMax: new Pages(20_000), oomGroup: true);
        m.CreateCgroup("/svc/w");
        m.Add(100, anon: 500, cgroup: "/svc");
        m.Add(101, anon: 9000, cgroup: "/svc/w");
        m.Add(102, anon: 10, cgroup: "/svc", adj: -1000);
        m.Add(103, anon: 40_000);
        var o = Check(m, x => TestMachines.ForMemcg(x.GetCgroup("/svc")));
        Assert.Equal(new[] { 101, 100 }, o.Killed.Select(t => t.Pid));
    }

    [Fact]
    public void APanicIsUndone()
    {
        var m = Box();
        m.PanicOnOom = 1;
        var o = Check(m, _ => TestMachines.Global());
        Assert.NotNull(o.Panic);
        Assert.Null(m.PanicMessage);
        // The machine still runs OOMs (and panics for real).
        Assert.NotNull(m.Killer.Invoke(TestMachines.Global()).Panic);
    }

    [Fact]
    public void ADyingAllocatorGivenTheReservesIsUndone()
    {
        var m = Box();
        m.Add(400, anon: 10, name: "dying", with: s => s.GroupExiting = true);
        Check(m, x => TestMachines.Global(current: x.GetTask(400)));
    }

    [Fact]
    public void AnAbortOnAVictimInFlightAndItsQueuedExitAndReaperAreKept()
    {
        var m = Box();
        m.Killer.Invoke(TestMachines.Global());
        m.Timeline.StepBy(new Jiffies(1));
        var o = Check(m, _ => TestMachines.Global());
        Assert.True(o.Aborted);
    }

    [Fact]
    public void TheRateLimitIsUndone()
    {
        var m = Box();
        for (int i = 0; i < 20; i++) Check(m, _ => TestMachines.Global());
        var real = m.Killer.Invoke(TestMachines.Global());
        Assert.Contains(real.Texts(), t => t.Contains("invoked oom-killer"));
    }

    [Fact]
    public void WhatANotifierFreedIsUndone()
    {
        var m = Box();
        m.UsedPages = new Pages(90_000);
        m.Killer.RegisterOomNotifier(() => 100);
        var o = Check(m, x => TestMachines.Sysrq());
        Assert.Equal(new Pages(90_000), m.UsedPages);
    }

    [Fact]
    public void AnErrorInTheDecisionStillUndoesIt()
    {
        var m = Box();
        string before = State(m);
        Assert.Throws<InvalidOperationException>(() => m.WhatIf<int>(x =>
        {
            x.Killer.Invoke(TestMachines.Global());
            throw new InvalidOperationException("stop");
        }));
        Assert.Equal(before, State(m));
    }

    [Fact]
    public void AWhatIfInsideAWhatIfRunsOnAClone()
    {
        var m = Box();
        string before = State(m);
        var (outer, inner) = m.WhatIf(x =>
        {
            var a = x.Killer.Invoke(TestMachines.Global());
            var b = x.WhatIf(y => y.Killer.Invoke(TestMachines.Global()));
            return (a, b);
        });
        Assert.Equal(201, outer.Victim?.Pid);
        Assert.True(inner.Aborted);
        Assert.Equal(before, State(m));
    }

    [Fact]
    public void TheWhatIfLogKeepsTheLinesAndTheMachineLogIsUntouched()
    {
        var m = Box();
        m.Log.Info("before");
        var o = m.WhatIf(x => x.Killer.Invoke(TestMachines.Global()));
        Assert.Equal(new[] { "before" }, m.Log.Entries.Select(e => e.Text));
        Assert.Contains(o.Texts(), t => t.StartsWith("Out of memory: Killed process 201 (vforked)", StringComparison.Ordinal));
    }
}
