using System;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Timeline;

/// <summary>
/// oom_killer_disable(timeout) waiting in simulated time for oom_victims to reach 0; the OOM notifier chain
/// (blocking_notifier_call_chain on oom_notify_list); pagefault_out_of_memory's rate limit.
/// </summary>
public class SwitchAndNotifierTimelineTests
{
    private const long Boot = 25000;

    [Fact]
    public void OomKillerDisable_WaitsInSimulatedTimeForTheVictimToExit()
    {
        var m = ExitTimelineTests.KilledHog(out var hog, out _);
        int logBefore = m.Log.Count;

        Assert.True(m.Killer.OomKillerDisable(timeout: new Jiffies(250), m.Timeline));

        Assert.Equal(Boot + 5, m.Jiffies);                // returned as soon as the hog exited, not at the deadline
        Assert.Null(m.FindTask(100));
        Assert.Equal(0, m.OomVictims);
        Assert.True(m.OomKillerDisabled);
        Assert.Equal(new[] { "OOM killer disabled." }, m.Log.Since(logBefore).Texts());
        Assert.False(m.Killer.Invoke(TestMachines.Global()).Result);
    }

    [Fact]
    public void OomKillerDisable_TimesOutOnAStuckVictimAndReenables()
    {
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, name: "hog");
        m.Add(101, anon: 10);
        hog.Mm!.MmapLockReleaseAt = Boot + 1250;          // stuck for 5 s
        m.Killer.Invoke(TestMachines.Global());
        int logBefore = m.Log.Count;

        Assert.False(m.Killer.OomKillerDisable(timeout: new Jiffies(250), m.Timeline));

        Assert.Equal(Boot + 250, m.Jiffies);              // waited the whole second
        Assert.False(m.OomKillerDisabled);
        Assert.Equal(1, m.OomVictims);
        var line = m.Log.Since(logBefore).Single();
        Assert.Equal("OOM killer enabled.", line.Text);
        Assert.Equal(KernelLogLevel.Info, line.Level);
    }

    [Fact]
    public void OomKillerDisable_TheReaperDoesNotCountOnlyTheExitDoes()
    {
        // The reaper gives up at +3 s (MMF_OOM_SKIP), but oom_victims drops only in exit_oom_victim at +5 s.
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, name: "hog");
        m.Add(101, anon: 10);
        hog.Mm!.MmapLockReleaseAt = Boot + 1250;
        m.Killer.Invoke(TestMachines.Global());

        Assert.True(m.Killer.OomKillerDisable(timeout: new Jiffies(5000), m.Timeline));

        Assert.Equal(Boot + 1250, m.Jiffies);
        Assert.Contains("oom_reaper: unable to reap pid:100 (hog)", m.Log.Entries.Select(e => e.Text));
        Assert.Equal("OOM killer disabled.", m.Log.Entries[m.Log.Count - 1].Text);
    }

    [Fact]
    public void OutOfMemory_NotifierThatFreesPagesStopsAGlobalOom()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 500);
        int calls = 0;
        m.Killer.RegisterOomNotifier(() => { calls++; return 64; });

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.True(o.Result);
        Assert.Empty(o.Killed);
        Assert.Empty(o.Log);
        Assert.Equal("An OOM notifier freed 64 pages.", o.Reason);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void OutOfMemory_NotifiersAddUpAndZeroFreedLetsTheOomGoOn()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 500);
        m.Killer.RegisterOomNotifier(() => 0);

        Assert.Equal(new[] { 100 }, m.Killer.Invoke(TestMachines.Global()).Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_SysrqOomCallsTheNotifiersButKillsAnyway()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 500);
        int calls = 0;
        m.Killer.RegisterOomNotifier(() => { calls++; return 64; });

        var o = m.Killer.Invoke(TestMachines.Sysrq());

        Assert.Equal(1, calls);
        Assert.Equal(new[] { 100 }, o.Killed.Pids());
    }

    [Fact]
    public void OutOfMemory_MemcgOomDoesNotCallTheNotifiers()
    {
        var m = TestMachines.Machine();
        var app = m.CreateCgroup("/app");
        m.Add(100, anon: 500, cgroup: "/app");
        int calls = 0;
        m.Killer.RegisterOomNotifier(() => { calls++; return 64; });

        var o = m.Killer.Invoke(TestMachines.ForMemcg(app));

        Assert.Equal(0, calls);
        Assert.Equal(new[] { 100 }, o.Killed.Pids());
    }

    [Fact]
    public void UnregisterOomNotifier_StopsItBeingCalled()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 500);
        int calls = 0;
        Func<long> n = () => { calls++; return 64; };
        m.Killer.RegisterOomNotifier(n);
        Assert.True(m.Killer.UnregisterOomNotifier(n));

        Assert.Single(m.Killer.Invoke(TestMachines.Global()).Killed);
        Assert.Equal(0, calls);
    }

    [Fact]
    public void PagefaultOutOfMemory_TenWarningsPerFiveSecondsThenCallbacksSuppressed()
    {
        var m = TestMachines.Machine();
        int logBefore = m.Log.Count;

        var printed = Enumerable.Range(0, 12).Select(_ => m.Killer.PagefaultOutOfMemory(null)).ToList();

        Assert.Equal(Enumerable.Repeat(true, 10).Concat(new[] { false, false }), printed);
        Assert.Equal(Enumerable.Repeat("Huh VM_FAULT_OOM leaked out to the #PF handler. Retrying PF", 10), m.Log.Since(logBefore).Texts());
        Assert.All(m.Log.Since(logBefore), e => Assert.Equal(KernelLogLevel.Warning, e.Level));

        // Exactly 5 s later the window has not expired yet (time_is_before_jiffies(begin + interval) is strict).
        m.Timeline.Step(Boot + 1250);
        Assert.False(m.Killer.PagefaultOutOfMemory(null));

        m.Timeline.Step(Boot + 1251);
        int windowStart = m.Log.Count;
        Assert.True(m.Killer.PagefaultOutOfMemory(null));
        Assert.Equal(new[]
        {
            "pagefault_out_of_memory: 3 callbacks suppressed",
            "Huh VM_FAULT_OOM leaked out to the #PF handler. Retrying PF",
        }, m.Log.Since(windowStart).Texts());
    }

    [Fact]
    public void PagefaultOutOfMemory_DyingTaskOrHandledMemcgOomPrintsNothing()
    {
        var m = TestMachines.Machine();
        var dying = m.Add(100, anon: 10, with: s => s.GroupExiting = true);
        var alive = m.Add(101, anon: 10);
        int logBefore = m.Log.Count;

        Assert.False(m.Killer.PagefaultOutOfMemory(dying));
        Assert.False(m.Killer.PagefaultOutOfMemory(alive, memcgOomHandled: true));
        Assert.Empty(m.Log.Since(logBefore));
        // Neither used up the budget: ten warnings still follow.
        Assert.All(Enumerable.Range(0, 10), _ => Assert.True(m.Killer.PagefaultOutOfMemory(alive)));
    }
}
