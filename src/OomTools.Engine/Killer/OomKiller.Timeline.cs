using System.Collections.Generic;
using OomTools.Engine.Model;
using OomTools.Engine.Time;

namespace OomTools.Engine.Killer;

internal enum PendingKind { Exit, ReaperTimer, ReaperAttempt }

/// <summary>Something due at a jiffy. Holds the task itself: the reaper keeps a reference to an exited victim.</summary>
internal sealed class Pending
{
    public long At, Seq;
    public PendingKind Kind;
    public OomTask Task = null!;
    public int Attempt;
}

public sealed partial class OomKiller
{
    private readonly List<Pending> pending = new();
    private long seq;
    private OomTask? reaping; // the oom_reaper thread is busy with this victim's retries

    /// <summary>How many things are due on the timeline.</summary>
    public int PendingEvents => pending.Count;

    /// <summary>The jiffy of the next thing due, and how many are pending (null when none is).</summary>
    public (long? At, int Count) NextDue() => (pending.Count > 0 ? pending[0].At : null, pending.Count);

    private void Schedule(long at, PendingKind kind, OomTask task, int attempt = 0)
    {
        var p = new Pending { At = at, Seq = seq++, Kind = kind, Task = task, Attempt = attempt };
        int i = pending.Count;
        while (i > 0 && (pending[i - 1].At > at)) i--;
        pending.Insert(i, p);
    }

    /// <summary>
    /// A killed process whose exit was held (frozen, dumping core, waiting for mmap_lock) may have been let go, or a
    /// process got SIGKILL from outside the OOM killer: if it is dying and no exit is due, it exits after its latency.
    /// </summary>
    public void Kick(OomTask p)
    {
        if (!p.GroupExiting || !ReferenceEquals(m.FindTask(p.Pid), p)) return;
        foreach (var e in pending) if (e.Kind == PendingKind.Exit && ReferenceEquals(e.Task, p)) return;
        ScheduleExit(p);
    }

    private void ScheduleExit(OomTask p) =>
        Schedule(m.Jiffies + (p.ExitLatencyJiffies ?? m.DefaultExitLatencyJiffies), PendingKind.Exit, p);

    private List<TimelineEvent>? sink;

    private void Note(TimelineEventKind kind, OomTask t, long pages, string text) =>
        sink?.Add(new TimelineEvent(m.Jiffies, m.Hz, m.PageSize, kind, t.Pid, t.Comm, pages, text, Used()));

    /// <summary>
    /// Advances the machine's clock to <paramref name="untilJiffies"/>, running on the way, in order, everything
    /// that falls due: killed processes exiting (when nothing holds them), the OOM_REAPER_DELAY timers, and the
    /// oom_reaper's attempts. Returns what happened.
    /// </summary>
    public IReadOnlyList<TimelineEvent> Step(long untilJiffies)
    {
        var events = new List<TimelineEvent>();
        var outer = sink;
        sink = events;
        try
        {
            while (pending.Count > 0 && pending[0].At <= untilJiffies) RunNext();
            AdvanceClockTo(System.Math.Max(untilJiffies, m.Jiffies));
        }
        finally { sink = outer; outer?.AddRange(events); }
        return events;
    }

    /// <summary>Runs everything due at the next jiffy that has anything; false when nothing is pending.</summary>
    public bool StepToNextEvent()
    {
        if (pending.Count == 0) return false;
        Step(pending[0].At);
        return true;
    }

    /// <summary>Copies what is due, for a cloned machine (events of processes that already exited are dropped).</summary>
    internal void CopyTimeline(OomKiller from, Dictionary<OomTask, OomTask> map)
    {
        foreach (var p in from.pending)
            if (map.TryGetValue(p.Task, out var twin))
                pending.Add(new Pending { At = p.At, Seq = p.Seq, Kind = p.Kind, Task = twin, Attempt = p.Attempt });
        seq = from.seq;
        if (from.reaping is not null && map.TryGetValue(from.reaping, out var r)) reaping = r;
    }

    internal List<TimelineEvent>? Sink { get => sink; set => sink = value; }

    private void AdvanceClockTo(long jiffies)
    {
        if (m.Clock is not ManualClock clock)
            throw new OomEngineException(OomError.InvalidState, $"Machine '{m.Name}' does not run on simulated time.", m);
        clock.AdvanceTo(jiffies * (1_000_000_000L / m.Hz));
    }

    private void RunNext()
    {
        var p = pending[0];
        pending.RemoveAt(0);
        AdvanceClockTo(p.At);
        switch (p.Kind)
        {
            case PendingKind.Exit: TryExit(p.Task); break;
            case PendingKind.ReaperTimer: TimerFired(p.Task); break;
            case PendingKind.ReaperAttempt: ReapAttempt(p.Task, p.Attempt); break;
        }
    }

    /// <summary>do_exit for a killed process, unless something holds it: a core dump, mmap_lock held by a writer, the freezer.</summary>
    private void TryExit(OomTask t)
    {
        if (!ReferenceEquals(m.FindTask(t.Pid), t)) return;
        long now = m.Jiffies;
        if (t.Frozen) { Note(TimelineEventKind.ExitBlocked, t, 0, "frozen: cannot run to exit"); return; }
        if (t.CoreDumping)
        {
            if (t.CoreDumpUntil is { } done && done > now) { Schedule(done, PendingKind.Exit, t); Note(TimelineEventKind.ExitBlocked, t, 0, "dumping core"); return; }
            if (t.CoreDumpUntil is null) { Note(TimelineEventKind.ExitBlocked, t, 0, "dumping core (no end set)"); return; }
            t.CoreDumping = false;
            Note(TimelineEventKind.CoreDumped, t, 0, "core dump finished");
        }
        if (t.Mm is { } held && held.IsMmapLockHeld(now))
        {
            if (held.MmapLockReleaseAt is { } release) { Schedule(release, PendingKind.Exit, t); Note(TimelineEventKind.ExitBlocked, t, 0, "in uninterruptible sleep holding mmap_lock"); }
            else Note(TimelineEventKind.ExitBlocked, t, 0, "waiting for mmap_lock (held with no release set)");
            return;
        }
        long freed = 0;
        if (t.Mm is { } mm && mm.Users - t.ThreadsWithMm <= 0)
        {
            freed = mm.anon + mm.swapEnts;
            Uncharge(mm, mm.anon);
        }
        m.RemoveTask(t);
        Note(TimelineEventKind.Exit, t, freed, freed > 0 ? $"exited; exit_mmap freed {freed} pages" : "exited");
    }

    private void TimerFired(OomTask t)
    {
        var mm = t.OomMm;
        if (mm is null || (mm.Flags & MmFlags.OomSkip) != 0)
        {
            t.ReaperTimerExpires = null;
            Note(TimelineEventKind.ReaperSkipped, t, 0, "already exited: nothing to reap");
            return;
        }
        WakeOomReaper(t);
        Note(TimelineEventKind.ReaperWoken, t, 0, "OOM_REAPER_DELAY passed: queued for the oom_reaper");
        if (reaping is null) StartReaping();
    }

    /// <summary>The oom_reaper thread takes the newest victim on its list (it is a LIFO).</summary>
    private void StartReaping()
    {
        if (reaping is not null || oomReaperList.Count == 0) return;
        reaping = oomReaperList.Pop();
        ReapAttempt(reaping, 1);
    }

    /// <summary>
    /// One pass of oom_reap_task's loop: a failure sleeps HZ/10 and tries again; the sleep after the
    /// MAX_OOM_REAP_RETRIES-th failure ends the loop (attempt number MAX + 1 here) with "unable to reap".
    /// </summary>
    private void ReapAttempt(OomTask t, int attempt)
    {
        var mm = t.OomMm!;
        long before = mm.anon + mm.file + mm.swapEnts;
        int logBefore = m.Log.Count;
        bool ok = attempt <= MaxOomReapRetries && OomReapTaskMm(t, mm);
        if (!ok && attempt <= MaxOomReapRetries)
        {
            Note(TimelineEventKind.ReapRetry, t, 0, mm.IsMmapLockHeld(m.Jiffies) ? $"attempt {attempt}: mmap_read_trylock failed" : $"attempt {attempt}: partial reap");
            Schedule(m.Jiffies + System.Math.Max(1, m.Hz / 10), PendingKind.ReaperAttempt, t, attempt + 1);
            return;
        }
        if (!ok && (mm.Flags & MmFlags.OomSkip) == 0)
        {
            m.Log.Info($"oom_reaper: unable to reap pid:{t.Pid} ({t.Comm})");
            Note(TimelineEventKind.UnableToReap, t, 0, $"unable to reap after {MaxOomReapRetries} attempts");
        }
        else if (m.Log.Count > logBefore)
            Note(TimelineEventKind.Reaped, t, before - mm.anon - mm.file - mm.swapEnts, m.Log.Entries[m.Log.Count - 1].Text);
        mm.Flags |= MmFlags.OomSkip;
        t.ReaperTimerExpires = null;
        reaperFinished.Add(t);
        reaping = null;
        StartReaping();
    }
}
