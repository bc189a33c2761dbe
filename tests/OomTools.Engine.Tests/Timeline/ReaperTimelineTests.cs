using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Timeline;

/// <summary>
/// The oom_reaper on the timeline: queue_oom_reaper arms a timer OOM_REAPER_DELAY (2*HZ) after the kill;
/// wake_oom_reaper pushes the victim on the LIFO oom_reaper_list (or drops it if it exited); oom_reap_task tries
/// oom_reap_task_mm up to MAX_OOM_REAP_RETRIES times, sleeping HZ/10 after each failure, and sets MMF_OOM_SKIP
/// at the end either way. HZ=250 from jiffy 25000: 2*HZ = 500 jiffies, HZ/10 = 25 jiffies (100 ms).
/// </summary>
public class ReaperTimelineTests
{
    private const long Boot = 25000;

    /// <summary>The hog of <see cref="ExitTimelineTests.KilledHog"/>, holding mmap_lock for write for 5 s from the kill.</summary>
    private static OomMachine StuckHog(out OomTask hog, out OomTask small)
    {
        var m = TestMachines.Machine();
        hog = m.Add(100, anon: 5000, file: 30, shmem: 2, swap: 7, name: "hog");
        small = m.Add(101, anon: 10, name: "small");
        hog.Mm!.MmapLockReleaseAt = Boot + 1250;      // 5 s at HZ=250
        var o = m.Killer.Invoke(TestMachines.Global());
        Assert.Same(hog, o.Victim);
        return m;
    }

    [Fact]
    public void DoExit_VictimHoldingMmapLockIsBlockedAndTheNextOomAborts()
    {
        var m = StuckHog(out var hog, out _);

        var e = Assert.Single(m.Timeline.Step(Boot + 5));
        Assert.Equal(TimelineEventKind.ExitBlocked, e.Kind);
        Assert.Equal("in uninterruptible sleep holding mmap_lock", e.Text);

        var next = m.Killer.Invoke(TestMachines.Global());
        Assert.True(next.Aborted);
        Assert.Same(hog, next.AbortedBy);
        Assert.Empty(next.Killed);
        Assert.True(next.Result);
        Assert.Equal(1, m.OomKillCount);
    }

    [Fact]
    public void QueueOomReaper_TimerFiresAtExactlyTwoHzAfterTheKill()
    {
        var m = StuckHog(out var hog, out _);
        Assert.Equal(Boot + 500, hog.ReaperTimerExpires);
        Assert.Equal(new Jiffies(500), m.Killer.OomReaperDelay);

        Assert.DoesNotContain(m.Timeline.Step(Boot + 499), e => e.Kind == TimelineEventKind.ReaperWoken);
        var events = m.Timeline.Step(Boot + 500);

        Assert.Equal(new[] { TimelineEventKind.ReaperWoken, TimelineEventKind.ReapRetry }, events.Select(e => e.Kind));
        Assert.All(events, e => Assert.Equal(Boot + 500, e.Jiffies));
        Assert.Equal("OOM_REAPER_DELAY passed: queued for the oom_reaper", events[0].Text);
        Assert.Equal("attempt 1: mmap_read_trylock failed", events[1].Text);
        Assert.Null(hog.ReaperTimerExpires);
    }

    [Fact]
    public void OomReapTask_TenAttemptsHzOverTenApartThenUnableToReapAtThreeSeconds()
    {
        var m = StuckHog(out var hog, out _);
        int logBefore = m.Log.Count;

        var events = m.Timeline.Step(Boot + 750);

        var retries = events.Where(e => e.Kind == TimelineEventKind.ReapRetry).ToList();
        // 2.0 s, 2.1 s, ..., 2.9 s after the kill.
        Assert.Equal(new long[] { 25500, 25525, 25550, 25575, 25600, 25625, 25650, 25675, 25700, 25725 }, retries.Select(e => e.Jiffies));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"attempt {i}: mmap_read_trylock failed"), retries.Select(e => e.Text));
        var gaveUp = events.Last();
        Assert.Equal(TimelineEventKind.UnableToReap, gaveUp.Kind);
        Assert.Equal(Boot + 750, gaveUp.Jiffies);                   // +2.0 s delay + 10 * 0.1 s
        Assert.Equal(3.0, (gaveUp.Jiffies - Boot) / 250.0, 10);
        Assert.Equal("unable to reap after 10 attempts", gaveUp.Text);

        var line = Assert.Single(m.Log.Since(logBefore));
        Assert.Equal("oom_reaper: unable to reap pid:100 (hog)", line.Text);
        Assert.Equal("[  103.000000]", line.Timestamp);
        Assert.True(hog.Mm!.Has(MmFlags.OomSkip));
        Assert.Equal(5000, hog.Mm.AnonPages.Value);                // nothing was reaped
        Assert.Same(hog, m.FindTask(100));
    }

    [Fact]
    public void OomReapTask_GiveUpComesOneHzOverTenSleepAfterTheTenthAttempt()
    {
        var m = StuckHog(out var hog, out _);

        m.Timeline.Step(Boot + 749);

        Assert.False(hog.Mm!.Has(MmFlags.OomSkip));
        Assert.True(m.Killer.Invoke(TestMachines.Global()).Aborted);
        var e = Assert.Single(m.Timeline.Step(Boot + 750));
        Assert.Equal(TimelineEventKind.UnableToReap, e.Kind);
    }

    [Fact]
    public void OomEvaluateTask_MmfOomSkipAfterUnableToReapLetsTheNextOomPickAnotherProcess()
    {
        var m = StuckHog(out var hog, out var small);
        m.Timeline.Step(Boot + 750);

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.False(o.Aborted);
        Assert.Same(small, o.Victim);
        Assert.Equal(OomSkipReason.ReapedVictim, o.Candidates.Single(c => c.Task == hog).Reason);
        // The hog still holds its memory until its lock is released at 5 s; then it exits.
        var exits = m.Timeline.Step(Boot + 1250).Where(e => e.Kind == TimelineEventKind.Exit).ToList();
        Assert.Equal(new[] { (101, Boot + 755), (100, Boot + 1250) }, exits.Select(e => (e.Pid, e.Jiffies)));
        Assert.Equal(5007, exits[1].Pages);
    }

    [Fact]
    public void OomReapTaskMm_LockReleasedBeforeTheTimerIsReapedAtTwoSeconds()
    {
        // Stuck in D state for 10 s (exit latency) but mmap_lock was dropped after 1.5 s.
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, file: 30, shmem: 2, swap: 7, name: "hog");
        var small = m.Add(101, anon: 10, name: "small");
        hog.ExitLatencyJiffies = 2500;
        hog.Mm!.MmapLockReleaseAt = Boot + 375;
        m.Killer.Invoke(TestMachines.Global());
        Assert.True(m.Killer.Invoke(TestMachines.Global()).Aborted);

        var events = m.Timeline.Step(Boot + 500);

        Assert.Equal(new[] { TimelineEventKind.ReaperWoken, TimelineEventKind.Reaped }, events.Select(e => e.Kind));
        var reaped = events[1];
        Assert.Equal(Boot + 500, reaped.Jiffies);
        Assert.Equal(5007, reaped.Pages);                           // anon 5000 + swap 7; file pages stay mapped without VMAs
        Assert.Equal("oom_reaper: reaped process 100 (hog), now anon-rss:0kB, file-rss:120kB, shmem-rss:8kB", reaped.Text);
        Assert.True(hog.Mm.Has(MmFlags.OomSkip));
        Assert.Same(small, m.Killer.Invoke(TestMachines.Global()).Victim);
    }

    [Fact]
    public void WakeOomReaper_VictimThatExitedBeforeTheTimerIsSkipped()
    {
        var m = ExitTimelineTests.KilledHog(out var hog, out _);
        m.Timeline.Step(Boot + 5);                                    // exited
        int logBefore = m.Log.Count;

        var e = Assert.Single(m.Timeline.Step(Boot + 500));

        Assert.Equal(TimelineEventKind.ReaperSkipped, e.Kind);
        Assert.Equal(100, e.Pid);
        Assert.Equal("already exited: nothing to reap", e.Text);
        Assert.Empty(m.Log.Since(logBefore));
        Assert.Empty(m.Killer.OomReaperList);
        Assert.Null(hog.ReaperTimerExpires);
    }

    [Fact]
    public void OomReaper_ListIsLifoWhileTheReaperIsBusy()
    {
        // a (stuck, lock held 5 s) keeps the reaper busy from 2.0 s to 3.0 s; b and c are killed 0.2 s and 0.4 s after
        // a, exit slowly (10 s) and hold no lock. Their timers fire at 2.2 s and 2.4 s while the reaper retries a.
        var m = TestMachines.Machine();
        var ca = m.CreateCgroup("/a");
        var cb = m.CreateCgroup("/b");
        var cc = m.CreateCgroup("/c");
        var a = m.Add(100, anon: 3000, name: "a", cgroup: "/a");
        var b = m.Add(200, anon: 2000, name: "b", cgroup: "/b");
        var c = m.Add(300, anon: 1000, name: "c", cgroup: "/c");
        a.Mm!.MmapLockReleaseAt = Boot + 1250;
        b.ExitLatencyJiffies = 2500;
        c.ExitLatencyJiffies = 2500;

        Assert.Same(a, m.Killer.Invoke(TestMachines.ForMemcg(ca)).Victim);
        m.Timeline.Step(Boot + 50);
        Assert.Same(b, m.Killer.Invoke(TestMachines.ForMemcg(cb)).Victim);
        m.Timeline.Step(Boot + 100);
        Assert.Same(c, m.Killer.Invoke(TestMachines.ForMemcg(cc)).Victim);

        m.Timeline.Step(Boot + 600);
        Assert.Equal(new[] { 300, 200 }, m.Killer.OomReaperList.Pids()); // newest first
        int logBefore = m.Log.Count;

        var events = m.Timeline.Step(Boot + 750);

        var done = events.Where(e => e.Kind is TimelineEventKind.UnableToReap or TimelineEventKind.Reaped).ToList();
        Assert.Equal(new[] { (100, TimelineEventKind.UnableToReap), (300, TimelineEventKind.Reaped), (200, TimelineEventKind.Reaped) },
            done.Select(e => (e.Pid, e.Kind)));
        Assert.All(done, e => Assert.Equal(Boot + 750, e.Jiffies));
        Assert.Equal(new[]
        {
            "oom_reaper: unable to reap pid:100 (a)",
            "oom_reaper: reaped process 300 (c), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
            "oom_reaper: reaped process 200 (b), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
        }, m.Log.Since(logBefore).Texts());
        Assert.Empty(m.Killer.OomReaperList);
    }

    [Fact]
    public void DoOomReapTaskMm_ReapsAnonymousAndPrivateFileVmasOnly()
    {
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 1000, file: 300, shmem: 400, swap: 50, name: "hog");
        hog.Mm!.Vmas.AddRange(new[]
        {
            new Vma(VmaKind.Anonymous, 1000, swapPages: 50),
            new Vma(VmaKind.PrivateFile, 100),
            new Vma(VmaKind.SharedFile, 200),
            new Vma(VmaKind.Shmem, 400),
            new Vma(VmaKind.Hugetlb, 64),
            new Vma(VmaKind.Pfnmap, 32),
        });
        hog.ExitLatencyJiffies = 2500;
        m.Add(101, anon: 10);
        m.Killer.Invoke(TestMachines.Global());

        var reaped = m.Timeline.Step(Boot + 500).Single(e => e.Kind == TimelineEventKind.Reaped);

        Assert.Equal(1150, reaped.Pages);                           // 1000 anon + 100 private file + 50 swap
        Assert.Equal("oom_reaper: reaped process 100 (hog), now anon-rss:0kB, file-rss:800kB, shmem-rss:1600kB", reaped.Text);
        Assert.Equal(new long[] { 0, 0, 200, 400, 64, 32 }, hog.Mm.Vmas.Select(v => v.ResidentPages));
        Assert.Equal(0, hog.Mm.Vmas[0].SwapPages);
        Assert.Equal(0, hog.Mm.AnonPages.Value);
        Assert.Equal(200, hog.Mm.FilePages.Value);
        Assert.Equal(400, hog.Mm.ShmemPages.Value);
        Assert.Equal(0, hog.Mm.SwapEntries.Value);
        Assert.True(hog.Mm.Has(MmFlags.Unstable));
        Assert.True(hog.Mm.Has(MmFlags.OomSkip));
    }

    [Fact]
    public void VmaReapable_AnonymousAndPrivateFileOnly()
    {
        Assert.True(new Vma(VmaKind.Anonymous, 1).Reapable);
        Assert.True(new Vma(VmaKind.PrivateFile, 1).Reapable);
        Assert.False(new Vma(VmaKind.SharedFile, 1).Reapable);
        Assert.False(new Vma(VmaKind.Shmem, 1).Reapable);
        Assert.False(new Vma(VmaKind.Hugetlb, 1).Reapable);
        Assert.False(new Vma(VmaKind.Pfnmap, 1).Reapable);
    }

    private static OomMachine VictimWithBlockingNotifier(out OomTask hog)
    {
        var m = TestMachines.Machine();
        hog = m.Add(100, anon: 1500, name: "hog");
        hog.Mm!.Vmas.Add(new Vma(VmaKind.Anonymous, 1000, notifierBlocks: true));
        hog.Mm.Vmas.Add(new Vma(VmaKind.Anonymous, 500));
        hog.ExitLatencyJiffies = 2500;
        m.Add(101, anon: 10);
        m.Killer.Invoke(TestMachines.Global());
        return m;
    }

    [Fact]
    public void OomReapTaskMm_BlockingMmuNotifierMakesTheReapPartialAndRetried()
    {
        var m = VictimWithBlockingNotifier(out var hog);
        int logBefore = m.Log.Count;

        var events = m.Timeline.Step(Boot + 750);

        var retries = events.Where(e => e.Kind == TimelineEventKind.ReapRetry).ToList();
        Assert.Equal(10, retries.Count);
        Assert.Equal("attempt 1: partial reap", retries[0].Text);
        Assert.Equal(TimelineEventKind.UnableToReap, events.Last().Kind);
        Assert.Equal(Boot + 750, events.Last().Jiffies);
        Assert.Equal(new[] { "oom_reaper: unable to reap pid:100 (hog)" }, m.Log.Since(logBefore).Texts());
        Assert.Equal(1000, hog.Mm!.AnonPages.Value);               // the unblocked 500 pages went on the first pass
        Assert.Equal(new long[] { 1000, 0 }, hog.Mm.Vmas.Select(v => v.ResidentPages));
        Assert.True(hog.Mm.Has(MmFlags.OomSkip));
    }

    [Fact]
    public void ProcessMrelease_BlockingMmuNotifierIsEagainWithThePartFreed()
    {
        var m = VictimWithBlockingNotifier(out var hog);

        var r = m.Killer.ProcessMrelease(100);

        Assert.Equal(Errno.EAGAIN, r.Errno);
        Assert.Equal(-11, r.ReturnValue);
        Assert.Equal(500, r.PagesFreed.Value);
        Assert.Equal(1000, hog.Mm!.AnonPages.Value);
        Assert.False(hog.Mm.Has(MmFlags.OomSkip));
    }

    [Fact]
    public void ProcessMrelease_ReapsAVictimAtOnceAndTheReaperLaterFindsNothingLeft()
    {
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, swap: 7, name: "hog");
        hog.ExitLatencyJiffies = 2500;
        m.Add(101, anon: 10);
        m.Killer.Invoke(TestMachines.Global());

        var r = m.Killer.ProcessMrelease(100);
        Assert.Equal(Errno.Success, r.Errno);
        Assert.Equal(5007, r.PagesFreed.Value);
        // process_mrelease does not set MMF_OOM_SKIP: the victim still aborts the next OOM until the reaper's timer.
        Assert.True(m.Killer.Invoke(TestMachines.Global()).Aborted);

        var reaped = m.Timeline.Step(Boot + 500).Single(e => e.Kind == TimelineEventKind.Reaped);
        Assert.Equal(0, reaped.Pages);
        Assert.True(hog.Mm!.Has(MmFlags.OomSkip));
        Assert.False(m.Killer.Invoke(TestMachines.Global()).Aborted);
    }
}
