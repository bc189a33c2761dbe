using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Timeline;

/// <summary>
/// A killed process exiting on the timeline: do_exit → exit_mm → exit_mmap (frees the memory, sets
/// MMF_OOM_SKIP) → exit_oom_victim (oom_victims back down), unless a core dump, the freezer or a writer holding
/// mmap_lock keeps it. The machines run at HZ=250 from 100 s after boot: jiffy 25000, one jiffy = 4 ms.
/// </summary>
public class ExitTimelineTests
{
    private const long Boot = 25000; // jiffies at TestMachines.BootNs, HZ=250

    /// <summary>hog (5000 anon, 30 file, 2 shmem, 7 swap) and small (10 anon), the hog killed at jiffy 25000.</summary>
    internal static OomMachine KilledHog(out OomTask hog, out OomTask small)
    {
        var m = TestMachines.Machine();
        hog = m.Add(100, anon: 5000, file: 30, shmem: 2, swap: 7, name: "hog");
        small = m.Add(101, anon: 10, name: "small");
        var o = m.Killer.Invoke(TestMachines.Global());
        Assert.Equal(new[] { 100 }, o.Killed.Pids());
        Assert.Equal(Boot, m.Jiffies);
        return m;
    }

    [Fact]
    public void DoExit_KilledProcessExitsAfterTheDefaultLatency_ExitMmapFreesAnonAndSwap()
    {
        var m = KilledHog(out var hog, out _);
        Assert.Equal(5, m.DefaultExitLatencyJiffies);
        Assert.Equal((new Jiffies(Boot + 5), 2), m.NextDue()); // the exit, then the reaper timer at +2*HZ

        Assert.Empty(m.Timeline.Step(Boot + 4));
        Assert.Same(hog, m.FindTask(100));

        var e = Assert.Single(m.Timeline.Step(Boot + 5));
        Assert.Equal(TimelineEventKind.Exit, e.Kind);
        Assert.Equal(Boot + 5, e.Jiffies);
        Assert.Equal(100.02, e.Seconds, 10);          // 25005 / 250
        Assert.Equal(100, e.Pid);
        Assert.Equal("hog", e.Name);
        Assert.Equal(5007, e.Pages);                 // 5000 anon + 7 swap entries
        Assert.Equal("exited; exit_mmap freed 5007 pages", e.Text);
        Assert.Equal(10, e.MemoryInUsePages);         // small's 10 anonymous pages are all that is left
        Assert.Null(m.FindTask(100));
    }

    [Fact]
    public void ExitMmap_SetsMmfOomSkipAndExitOomVictimBringsOomVictimsBackToZero()
    {
        var m = KilledHog(out var hog, out _);
        Assert.Equal(1, m.OomVictims);
        Assert.True(hog.MemDie);

        m.Timeline.Step(Boot + 5);

        Assert.True(hog.Mm!.Has(MmFlags.OomSkip));
        Assert.Equal(0, m.OomVictims);
        Assert.False(hog.MemDie);
        Assert.Same(hog.Mm, hog.OomMm);               // signal->oom_mm outlives the exit
    }

    [Fact]
    public void DoExit_ExitedVictimNoLongerAbortsTheNextOom()
    {
        var m = KilledHog(out _, out var small);
        Assert.True(m.Killer.Invoke(TestMachines.Global()).Aborted);

        m.Timeline.Step(Boot + 5);
        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.False(o.Aborted);
        Assert.Same(small, o.Victim);
    }

    [Fact]
    public void DoExit_OwnExitLatencyIsUsed()
    {
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, name: "hog");
        hog.ExitLatencyJiffies = 50;                  // 200 ms
        m.Add(101, anon: 10);
        m.Killer.Invoke(TestMachines.Global());

        Assert.Empty(m.Timeline.Step(Boot + 49));
        var e = Assert.Single(m.Timeline.Step(Boot + 50));
        Assert.Equal(TimelineEventKind.Exit, e.Kind);
        Assert.Equal(5000, e.Pages);
    }

    [Fact]
    public void StepToNextEvent_RunsEverythingDueAtTheNextJiffyAndSaysFalseWhenIdle()
    {
        var m = KilledHog(out _, out _);

        Assert.True(m.Timeline.StepToNextEvent());
        Assert.Equal(Boot + 5, m.Jiffies);
        Assert.True(m.Timeline.StepToNextEvent());
        Assert.Equal(Boot + 500, m.Jiffies);          // the reaper timer of the exited hog
        Assert.Equal(0, m.PendingEvents);
        Assert.Equal((null, 0), m.NextDue());
        Assert.False(m.Timeline.StepToNextEvent());
        Assert.Equal(Boot + 500, m.Jiffies);
    }

    [Fact]
    public void Step_MovesTheClockEvenWhenNothingIsDue()
    {
        var m = TestMachines.Machine();

        Assert.Empty(m.Timeline.Step(Boot + 250));

        Assert.Equal(Boot + 250, m.Jiffies);
        Assert.Equal(101_000_000_000, m.Clock.Nanoseconds);
    }

    [Fact]
    public void DoExit_SharedMmIsFreedOnlyByItsLastUser()
    {
        var m = TestMachines.Machine();
        var parent = m.Add(100, anon: 4000, name: "parent");
        var child = m.AddSharer(101, owner: 100, name: "child");
        child.ExitLatencyJiffies = 20;
        m.Add(102, anon: 10);
        var o = m.Killer.Invoke(TestMachines.Global());
        Assert.Equal(new[] { 101, 100 }, o.AllKilled.Pids()); // child chosen (tie to the later task), parent shares the mm

        var first = Assert.Single(m.Timeline.Step(Boot + 5));
        Assert.Equal(100, first.Pid);
        Assert.Equal(0, first.Pages);
        Assert.Equal("exited", first.Text);
        Assert.False(parent.Mm!.Has(MmFlags.OomSkip));

        var last = Assert.Single(m.Timeline.Step(Boot + 20));
        Assert.Equal(101, last.Pid);
        Assert.Equal(4000, last.Pages);
        Assert.True(child.Mm!.Has(MmFlags.OomSkip));
    }

    [Fact]
    public void DoExit_CoreDumpHoldsTheExitUntilTheDumpEnds()
    {
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, name: "hog", with: s => s.CoreDumping = true);
        hog.CoreDumpUntil = Boot + 250;               // dumping for 1 s more
        m.Add(101, anon: 10);
        var o = m.Killer.Invoke(TestMachines.Global());
        Assert.Same(hog, o.Victim);                   // a dumping task is killed normally, not just marked

        var blocked = Assert.Single(m.Timeline.Step(Boot + 5));
        Assert.Equal(TimelineEventKind.ExitBlocked, blocked.Kind);
        Assert.Equal("dumping core", blocked.Text);
        Assert.True(m.Killer.Invoke(TestMachines.Global()).Aborted);

        var done = m.Timeline.Step(Boot + 250);
        Assert.Equal(new[] { TimelineEventKind.CoreDumped, TimelineEventKind.Exit }, done.Select(e => e.Kind));
        Assert.All(done, e => Assert.Equal(Boot + 250, e.Jiffies));
        Assert.Equal("core dump finished", done[0].Text);
        Assert.Equal(5000, done[1].Pages);
        Assert.False(hog.CoreDumping);
        Assert.Equal(0, m.OomVictims);
    }

    [Fact]
    public void TaskWillFreeMem_IsFalseWhileTheVictimDumpsCore()
    {
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, name: "hog", with: s => s.CoreDumping = true);
        hog.CoreDumpUntil = Boot + 250;
        m.Add(101, anon: 10);
        m.Killer.Invoke(TestMachines.Global());
        m.Timeline.Step(Boot + 100);

        Assert.True(hog.GroupExiting);
        Assert.False(OomKiller.DoTaskWillFreeMem(hog));
        Assert.False(m.Killer.TaskWillFreeMem(hog));
        // So a dumping allocator is not handed the reserves: out_of_memory goes on and aborts on the victim.
        var o = m.Killer.Invoke(TestMachines.Global(current: hog));
        Assert.True(o.Aborted);
        Assert.Same(hog, o.AbortedBy);
    }

    [Fact]
    public void DoExit_CoreDumpWithNoEndNeverExits()
    {
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, name: "hog", with: s => s.CoreDumping = true);
        m.Add(101, anon: 10);
        m.Killer.Invoke(TestMachines.Global());

        var e = Assert.Single(m.Timeline.Step(Boot + 5));
        Assert.Equal("dumping core (no end set)", e.Text);
        Assert.Same(hog, m.FindTask(100));
        Assert.Equal((new Jiffies(Boot + 500), 1), m.NextDue()); // only the reaper timer is left
    }

    [Fact]
    public void MarkOomVictim_ThawsAFrozenVictimSoItExits()
    {
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, name: "hog", with: s => s.Frozen = true);
        m.Add(101, anon: 10);

        m.Killer.Invoke(TestMachines.Global());

        Assert.False(hog.Frozen);
        var e = Assert.Single(m.Timeline.Step(Boot + 5));
        Assert.Equal(TimelineEventKind.Exit, e.Kind);
        Assert.Equal(5000, e.Pages);
    }

    [Fact]
    public void DoExit_FrozenSharerThatWasOnlySignalledStaysFrozen()
    {
        // __oom_kill_process sends SIGKILL to the other users of the mm but does not mark (thaw) them.
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, name: "hog");
        var sharer = m.AddSharer(101, owner: 100, name: "sharer", adj: -500, with: s => s.Frozen = true);
        m.Add(102, anon: 10);
        var o = m.Killer.Invoke(TestMachines.Global());
        Assert.Same(hog, o.Victim);
        Assert.Equal(new[] { 100, 101 }, o.AllKilled.Pids());

        var events = m.Timeline.Step(Boot + 5);

        Assert.Equal(new[] { (100, TimelineEventKind.Exit, "exited"), (101, TimelineEventKind.ExitBlocked, "frozen: cannot run to exit") },
            events.Select(e => (e.Pid, e.Kind, e.Text)));
        Assert.True(sharer.Frozen);
        Assert.False(sharer.Mm!.Has(MmFlags.OomSkip));  // the frozen sharer keeps the mm alive
    }
}
