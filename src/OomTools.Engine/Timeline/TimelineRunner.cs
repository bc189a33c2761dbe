using System.Collections.Generic;
using OomTools.Engine.Exit;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using OomTools.Engine.Units;

namespace OomTools.Engine.Timeline;

/// <summary>
/// Runs a machine's simulated time: takes what falls due off the machine's queue in order — a killed process's
/// exit (Exit/), a victim's oom_reaper timer and the oom_reaper thread's retries (Killer/) — advances the clock,
/// and turns what each of those returned into <see cref="TimelineEvent"/>s. It is also the wait of
/// oom_killer_disable (<see cref="IWaitEvent"/>).
/// </summary>
public sealed class TimelineRunner : IWaitEvent
{
    private readonly OomMachine m;
    private readonly OomKiller killer;
    private readonly TaskExit exit;

    /// <summary>The timeline of <paramref name="machine"/>.</summary>
    public TimelineRunner(OomMachine machine)
    {
        m = machine ?? throw new System.ArgumentNullException(nameof(machine));
        killer = new OomKiller(machine);
        exit = new TaskExit(machine);
    }

    /// <summary>
    /// Advances the machine's clock to <paramref name="until"/>, running on the way, in order, everything
    /// that falls due: killed processes exiting (when nothing holds them), the OOM_REAPER_DELAY timers, and the
    /// oom_reaper's attempts. Returns what happened.
    /// </summary>
    public IReadOnlyList<TimelineEvent> Step(Jiffies until)
    {
        var run = new TimelineRun();
        Step(until, run);
        return run.Events;
    }

    /// <summary><see cref="Step(Jiffies)"/> to a bare jiffies count (as PowerShell and the tests give it).</summary>
    public IReadOnlyList<TimelineEvent> Step(long untilJiffies) => Step(new Jiffies(untilJiffies));

    /// <summary>Runs everything due at the next jiffy that has anything; false when nothing is pending.</summary>
    public bool StepToNextEvent() => StepToNextEvent(new TimelineRun());

    /// <summary>
    /// Runs simulated time forward by <paramref name="duration"/> from now, with everything that falls due on the
    /// way (exits, the oom_reaper's timer and attempts); returns what happened, in order.
    /// </summary>
    public IReadOnlyList<TimelineEvent> StepBy(Jiffies duration) => Step(m.Now + duration);

    /// <summary><see cref="StepBy(Jiffies)"/> for a duration in milliseconds, cut to whole jiffies at the machine's HZ.</summary>
    public IReadOnlyList<TimelineEvent> StepBy(Milliseconds duration) => StepBy(duration.ToJiffies(m.Hz));

    /// <summary>Runs time up to the next thing due and everything due at that jiffy; nothing when nothing is pending.</summary>
    public IReadOnlyList<TimelineEvent> StepToNext() =>
        m.NextDue().At is { } at ? Step(at) : new List<TimelineEvent>();

    /// <summary>
    /// Runs time from one due thing to the next until nothing more is due, or <paramref name="maxSteps"/> jiffies
    /// with something due have run (a guard against a timeline that keeps scheduling itself).
    /// </summary>
    public IReadOnlyList<TimelineEvent> StepUntilIdle(int maxSteps = 100_000)
    {
        var events = new List<TimelineEvent>();
        for (int step = 0; step < maxSteps && m.NextDue().At is { } due; step++) events.AddRange(Step(due));
        return events;
    }

    /// <summary>
    /// Lets the oom_reaper thread do what is due: the timeline runs up to now (timers that passed fire) and then
    /// on, in simulated time, for as long as the thread is busy with a victim's HZ/10 retries. Returns the victims
    /// whose reaping ended (reaped, or given up on) in this call.
    /// </summary>
    public IReadOnlyList<OomTask> RunOomReaper()
    {
        var run = new TimelineRun();
        Step(m.Now, run);
        while (m.OomReaperThread?.BusyWith is not null && StepToNextEvent(run)) { }
        return run.ReaperFinished;
    }

    /// <summary>
    /// <c>wait_event_timeout()</c> in simulated time: runs what falls due, one jiffy with events at a time, until
    /// <paramref name="condition"/> holds or nothing more is due before the deadline; then, if it still does not
    /// hold, the clock goes on to the deadline.
    /// </summary>
    public bool WaitEventTimeout(System.Func<bool> condition, Jiffies timeout)
    {
        if (condition is null) throw new System.ArgumentNullException(nameof(condition));
        var deadline = m.Now + Jiffies.Max(Jiffies.Zero, timeout);
        var run = new TimelineRun();
        while (!condition() && m.Pending.FirstAt is { } at && at <= deadline) StepToNextEvent(run);
        if (condition()) return true;
        Step(deadline, run);
        return false;
    }

    internal void Step(Jiffies until, TimelineRun run)
    {
        while (m.Pending.FirstAt is { } at && at <= until) RunNext(run);
        AdvanceClockTo(Jiffies.Max(until, m.Now));
    }

    internal bool StepToNextEvent(TimelineRun run)
    {
        if (m.Pending.FirstAt is not { } at) return false;
        Step(at, run);
        return true;
    }

    /// <summary>An event at the machine's current time, with the memory in use right now.</summary>
    internal TimelineEvent Event(TimelineEventKind kind, OomTask t, long pages, string text) =>
        new(m.Now, m.Hz, m.PageSize, kind, t.Pid, t.Comm, pages, text, m.MemoryInUse().Value);

    private void AdvanceClockTo(Jiffies jiffies)
    {
        if (m.Clock is not ManualClock clock)
            throw new OomEngineException(OomError.InvalidState, $"Machine '{m.Name}' does not run on simulated time.", m);
        clock.AdvanceTo(jiffies.ToNanoseconds(m.Hz));
    }

    private void RunNext(TimelineRun run)
    {
        var p = m.Pending.TakeFirst();
        AdvanceClockTo(p.At);
        switch (p.Kind)
        {
            case PendingKind.Exit: RunToExit(p.Task, run); break;
            case PendingKind.ReaperTimer: TimerFired(p.Task, run); break;
            case PendingKind.ReaperAttempt:
                Record(killer.OomReapTask(p.Task, p.Attempt), run);
                RunReaperThread(run);
                break;
        }
    }

    /// <summary>The victim's timer: wake_oom_reaper, then the thread starts on its list if it is idle.</summary>
    private void TimerFired(OomTask t, TimelineRun run)
    {
        if (!killer.WakeOomReaper(t))
        {
            run.Events.Add(Event(TimelineEventKind.ReaperSkipped, t, 0, "already exited: nothing to reap"));
            return;
        }
        run.Events.Add(Event(TimelineEventKind.ReaperWoken, t, 0, "OOM_REAPER_DELAY passed: queued for the oom_reaper"));
        RunReaperThread(run);
    }

    /// <summary>The oom_reaper thread takes victims off its list (newest first) until one needs a retry or none is left.</summary>
    private void RunReaperThread(TimelineRun run)
    {
        while (killer.OomReaper() is { } pass) Record(pass, run);
    }

    private void Record(OomReapPass pass, TimelineRun run)
    {
        var t = pass.Task;
        switch (pass.Result)
        {
            case OomReapPassResult.Retry:
                run.Events.Add(Event(TimelineEventKind.ReapRetry, t, 0,
                    pass.MmapLockHeld ? $"attempt {pass.Attempt}: mmap_read_trylock failed" : $"attempt {pass.Attempt}: partial reap"));
                return;
            case OomReapPassResult.UnableToReap:
                run.Events.Add(Event(TimelineEventKind.UnableToReap, t, 0, $"unable to reap after {OomKiller.MaxOomReapRetries} attempts"));
                break;
            case OomReapPassResult.Reaped:
                run.Events.Add(Event(TimelineEventKind.Reaped, t, pass.PagesFreed, pass.Message ?? "reaped"));
                break;
        }
        run.ReaperFinished.Add(t);
    }

    /// <summary>A killed process's turn: it exits, or says what holds it (a finished core dump is a step before the exit).</summary>
    private void RunToExit(OomTask t, TimelineRun run)
    {
        var attempt = exit.DoGroupExit(t);
        if (attempt.CoreDumpFinished)
        {
            run.Events.Add(Event(TimelineEventKind.CoreDumped, t, 0, "core dump finished"));
            attempt = exit.DoGroupExit(t);
        }
        string? held = attempt.HeldBy switch
        {
            ExitHold.Frozen => "frozen: cannot run to exit",
            ExitHold.CoreDump => attempt.RetryAt is null ? "dumping core (no end set)" : "dumping core",
            ExitHold.MmapLock => attempt.RetryAt is null ? "waiting for mmap_lock (held with no release set)" : "in uninterruptible sleep holding mmap_lock",
            _ => null,
        };
        if (held is not null) run.Events.Add(Event(TimelineEventKind.ExitBlocked, t, 0, held));
        else if (attempt.HasExited)
            run.Events.Add(Event(TimelineEventKind.Exit, t, attempt.PagesFreed,
                attempt.PagesFreed > 0 ? $"exited; exit_mmap freed {attempt.PagesFreed} pages" : "exited"));
    }
}
