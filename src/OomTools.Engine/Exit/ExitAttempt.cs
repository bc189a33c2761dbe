using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Exit;

/// <summary>What held a killed process back from its exit.</summary>
public enum ExitHold
{
    /// <summary>Nothing: it exited (or had already gone).</summary>
    None,
    /// <summary>The cgroup freezer or suspend: it cannot run until thawed.</summary>
    Frozen,
    /// <summary>Its group is dumping core.</summary>
    CoreDump,
    /// <summary>It sleeps uninterruptibly with mmap_lock held, or waits for a writer's mmap_lock.</summary>
    MmapLock,
}

/// <summary>What <see cref="TaskExit.DoGroupExit"/> did for one killed process.</summary>
public sealed class ExitAttempt
{
    private ExitAttempt(OomTask task, bool exited, long freed, bool coreDumpFinished, ExitHold heldBy, Jiffies? retryAt)
    {
        Task = task;
        HasExited = exited;
        PagesFreed = freed;
        CoreDumpFinished = coreDumpFinished;
        HeldBy = heldBy;
        RetryAt = retryAt;
    }

    internal static ExitAttempt Gone(OomTask task) => new(task, false, 0, false, ExitHold.None, null);
    internal static ExitAttempt Held(OomTask task, ExitHold by, Jiffies? retryAt) => new(task, false, 0, false, by, retryAt);
    internal static ExitAttempt CoreDumpEnded(OomTask task) => new(task, false, 0, true, ExitHold.None, null);
    internal static ExitAttempt Exited(OomTask task, long freed) => new(task, true, freed, false, ExitHold.None, null);

    /// <summary>The process.</summary>
    public OomTask Task { get; }
    /// <summary>It exited (and left the task list).</summary>
    public bool HasExited { get; }
    /// <summary>
    /// Pages exit_mmap freed: private anonymous pages, swap entries and the shared objects whose last mapping this was
    /// (0 when others still use the mm).
    /// </summary>
    public long PagesFreed { get; }
    /// <summary>Its core dump has just finished; the exit itself is the next step, at the same moment.</summary>
    public bool CoreDumpFinished { get; }
    /// <summary>What holds it; <see cref="ExitHold.None"/> when it exited or had already gone.</summary>
    public ExitHold HeldBy { get; }
    /// <summary>When held: the jiffy its exit was queued again for; null when nothing but a wake-up lets it go.</summary>
    public Jiffies? RetryAt { get; }
    /// <summary>It had already left the task list: nothing was done.</summary>
    public bool WasGone => !HasExited && !CoreDumpFinished && HeldBy == ExitHold.None;
}
