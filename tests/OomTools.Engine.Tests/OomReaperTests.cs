using System;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>queue_oom_reaper() / wake_oom_reaper() / oom_reaper() / oom_reap_task() / oom_reap_task_mm().</summary>
public class OomReaperTests
{
    private static OomMachine KilledHog(out OomTask hog, out ManualClock clock)
    {
        clock = new ManualClock(TestMachines.BootNs);
        var m = TestMachines.Machine(clock: clock);
        hog = m.Add(100, anon: 5000, file: 30, shmem: 2, swap: 7, name: "hog");
        hog.ExitLatencyJiffies = 1_000_000; // a victim that does not get out by itself: the reaper's case
        m.Add(101, anon: 10, name: "small");
        var o = m.Killer.Invoke(TestMachines.Global());
        Assert.Same(hog, o.Victim);
        return m;
    }

    [Fact]
    public void OomReaper_DoesNothingBeforeTheTwoSecondDelay()
    {
        var m = KilledHog(out var hog, out var clock);
        clock.Advance(TimeSpan.FromMilliseconds(1996)); // 499 jiffies at HZ=250

        Assert.Empty(m.Timeline.RunOomReaper());
        Assert.Equal(5000, hog.Mm!.AnonPages.Value);
        Assert.False(hog.Mm.Has(MmFlags.OomSkip));
    }

    [Fact]
    public void OomReaper_ReapsTheVictimAfterTwoSecondsAndLogsWhatIsLeft()
    {
        var m = KilledHog(out var hog, out var clock);
        clock.Advance(TimeSpan.FromSeconds(2)); // jiffies == expires: the timer fires
        int before = m.Log.Count;

        var done = m.Timeline.RunOomReaper();

        Assert.Equal(new[] { 100 }, done.Pids());
        Assert.Equal(new[] { "oom_reaper: reaped process 100 (hog), now anon-rss:0kB, file-rss:120kB, shmem-rss:8kB" },
            m.Log.Since(before).Texts());
        Assert.Equal(KernelLogLevel.Info, m.Log.Entries[m.Log.Count - 1].Level);
        Assert.True(hog.Mm!.Has(MmFlags.OomSkip));
        Assert.True(hog.Mm.Has(MmFlags.Unstable));
        Assert.Equal(0, hog.Mm.AnonPages.Value);
        Assert.Equal(0, hog.Mm.SwapEntries.Value);
        Assert.Null(hog.ReaperTimerExpires);
    }

    [Fact]
    public void OomReaper_ReapedVictimNoLongerBlocksTheNextOom()
    {
        var m = KilledHog(out _, out var clock);
        Assert.True(m.Killer.Invoke(TestMachines.Global()).Aborted);
        clock.Advance(TimeSpan.FromSeconds(2));
        m.Timeline.RunOomReaper();

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.False(o.Aborted);
        Assert.Equal(101, o.Victim!.Pid);
    }

    [Fact]
    public void OomReaper_VictimThatExitedOnItsOwnIsDropped()
    {
        var m = KilledHog(out var hog, out var clock);
        hog.Mm!.Flags |= MmFlags.OomSkip; // exit_mmap got there first
        clock.Advance(TimeSpan.FromSeconds(3));
        int before = m.Log.Count;

        m.Timeline.RunOomReaper();

        Assert.Empty(m.Log.Since(before));
        Assert.Equal(5000, hog.Mm.AnonPages.Value);
        Assert.Empty(m.Killer.OomReaperList);
    }

    [Fact]
    public void OomReaper_GivesUpAfterTenTrylocksAndStillHidesTheMm()
    {
        var m = KilledHog(out var hog, out var clock);
        hog.Mm!.MmapLockHeldForWrite = true;
        clock.Advance(TimeSpan.FromSeconds(2));
        int before = m.Log.Count;

        m.Timeline.RunOomReaper();

        Assert.Equal(new[] { "oom_reaper: unable to reap pid:100 (hog)" }, m.Log.Since(before).Texts());
        Assert.True(hog.Mm.Has(MmFlags.OomSkip));
        Assert.Equal(5000, hog.Mm.AnonPages.Value);
    }

    [Fact]
    public void OomReaper_PartialReapBecauseOfAnMmuNotifierIsRetriedThenGivenUp()
    {
        var m = KilledHog(out var hog, out var clock);
        hog.Mm!.MmuNotifierBlocks = true;
        clock.Advance(TimeSpan.FromSeconds(2));
        int before = m.Log.Count;

        m.Timeline.RunOomReaper();

        Assert.Equal(new[] { "oom_reaper: unable to reap pid:100 (hog)" }, m.Log.Since(before).Texts());
        Assert.True(hog.Mm.Has(MmFlags.Unstable));
        Assert.True(hog.Mm.Has(MmFlags.OomSkip));
    }

    [Fact]
    public void OomReapTaskMm_MmAlreadySkippedIsDoneWithoutReaping()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 500, with: s => s.OomSkip = true);
        int before = m.Log.Count;

        Assert.True(m.Killer.OomReapTaskMm(t, t.Mm!));

        Assert.Empty(m.Log.Since(before));
        Assert.Equal(500, t.Mm!.AnonPages.Value);
        Assert.False(t.Mm.Has(MmFlags.Unstable));
    }

    [Fact]
    public void OomReapTaskMm_TrylockFailureIsFalse()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 500);
        t.Mm!.MmapLockHeldForWrite = true;

        Assert.False(m.Killer.OomReapTaskMm(t, t.Mm));
        Assert.Equal(500, t.Mm.AnonPages.Value);
    }

    [Fact]
    public void OomReaper_PinnedByInitIsNeverQueued()
    {
        var clock = new ManualClock(TestMachines.BootNs);
        var m = TestMachines.Machine(clock: clock);
        m.Add(1, anon: 5000, name: "init");
        var child = m.AddSharer(20, owner: 1, name: "vmchild");
        m.Killer.Invoke(TestMachines.Global());
        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Empty(m.Timeline.RunOomReaper());
        Assert.Equal(5000, child.Mm!.AnonPages.Value);
    }

    [Fact]
    public void OomNotifiers_RegisterAndUnregister()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 500);
        Func<long> freeSome = () => 10;
        m.Killer.RegisterOomNotifier(freeSome);

        Assert.Empty(m.Killer.Invoke(TestMachines.Global()).Killed);
        Assert.True(m.Killer.UnregisterOomNotifier(freeSome));
        Assert.False(m.Killer.UnregisterOomNotifier(freeSome));
        Assert.Equal(new[] { 100 }, m.Killer.Invoke(TestMachines.Global()).Killed.Pids());
    }
}
