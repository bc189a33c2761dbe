using OomTools.Engine.Killer;

namespace OomTools.Engine.Timeline;

/// <summary>What happened on a machine's timeline.</summary>
public enum TimelineEventKind
{
    /// <summary>A process finished exiting: exit_mmap freed its memory and set MMF_OOM_SKIP.</summary>
    Exit,
    /// <summary>A killed process cannot exit yet (mmap_lock held, core dump, frozen).</summary>
    ExitBlocked,
    /// <summary>The OOM_REAPER_DELAY timer fired and put the victim on the reaper's list.</summary>
    ReaperWoken,
    /// <summary>The victim exited before the timer: wake_oom_reaper dropped it.</summary>
    ReaperSkipped,
    /// <summary>The oom_reaper unmapped the victim's memory.</summary>
    Reaped,
    /// <summary>One reap attempt failed (mmap_lock taken, or a blocking MMU notifier); the reaper retries in HZ/10.</summary>
    ReapRetry,
    /// <summary>After MAX_OOM_REAP_RETRIES the reaper gave up and set MMF_OOM_SKIP.</summary>
    UnableToReap,
    /// <summary>A writer released mmap_lock.</summary>
    LockReleased,
    /// <summary>A core dump finished.</summary>
    CoreDumped,
    /// <summary>An allocation was charged.</summary>
    Allocated,
    /// <summary>An allocation ran the OOM killer.</summary>
    OutOfMemory,
    /// <summary>An allocation failed (-ENOMEM) or its task was killed.</summary>
    AllocationFailed,
    /// <summary>
    /// An allocation went to sleep in a memcg OOM with oom_kill_disable set (v1): nothing killed, nothing printed,
    /// under_oom 1 until it is woken.
    /// </summary>
    MemcgOomWait,
}

/// <summary>One thing that happened at a jiffy, in order.</summary>
public sealed class TimelineEvent
{
    internal TimelineEvent(Units.Jiffies at, int hz, int pageSize, TimelineEventKind kind, int pid, string name, long pages, string text, long memoryInUse = 0)
    {
        MemoryInUsePages = memoryInUse;
        PageSize = pageSize;
        At = at;
        Seconds = at.ToSeconds(hz);
        Kind = kind;
        Pid = pid;
        Name = name;
        Pages = pages;
        Text = text;
    }

    /// <summary>The machine's jiffies when it happened.</summary>
    public Units.Jiffies At { get; }
    /// <summary><see cref="At"/> as a bare count (what PowerShell shows and sorts by).</summary>
    public long Jiffies => At.Value;
    /// <summary>Time since boot in seconds.</summary>
    public double Seconds { get; }
    /// <summary>What happened.</summary>
    public TimelineEventKind Kind { get; }
    /// <summary>The process it happened to (or that allocated); 0 for a kernel worker.</summary>
    public int Pid { get; }
    /// <summary>That process's comm.</summary>
    public string Name { get; }
    /// <summary>Pages freed or allocated, where it applies.</summary>
    public long Pages { get; }
    /// <summary>What happened, in a sentence fragment (a log line for the reaper's work).</summary>
    public string Text { get; }
    /// <summary>The machine's anonymous + shmem pages in use right after the event (what a plot draws).</summary>
    public long MemoryInUsePages { get; }
    /// <summary>The machine's page size in bytes: what <see cref="Pages"/> and <see cref="MemoryInUsePages"/> count in.</summary>
    public int PageSize { get; }
    /// <summary>The OOM outcome, for <see cref="TimelineEventKind.OutOfMemory"/>.</summary>
    public OomOutcome? Outcome { get; internal set; }

    /// <summary>
    /// An OOM as a timeline event of kind <see cref="TimelineEventKind.OutOfMemory"/>, at the time it ran and with
    /// the memory in use when it returned, as an allocation on the timeline records its OOMs: so an OOM run on its
    /// own can be charted with the events of stepped time and allocations.
    /// </summary>
    public static TimelineEvent Of(OomOutcome outcome)
    {
        if (outcome is null) throw new System.ArgumentNullException(nameof(outcome));
        string domain = outcome.Constraint switch
        {
            OomConstraint.Memcg => $"memcg {outcome.Memcg?.Path} OOM: ",
            OomConstraint.Cpuset => "cpuset OOM: ",
            OomConstraint.MemoryPolicy => "mempolicy OOM: ",
            _ => "global OOM: ",
        };
        var oom = new TimelineEvent(outcome.At, outcome.Hz, outcome.Machine.PageSize, TimelineEventKind.OutOfMemory,
            outcome.Current?.Pid ?? 0, outcome.Current?.Comm ?? OomKiller.KernelWorkerComm, 0, domain + outcome.Reason,
            outcome.MemoryInUsePages);
        oom.Outcome = outcome;
        return oom;
    }

    /// <summary>One line: seconds, kind, pid, name and text.</summary>
    public override string ToString() => $"{Seconds,10:F3}s {Kind,-16} {Pid,7} {Name,-15} {Text}";
}
