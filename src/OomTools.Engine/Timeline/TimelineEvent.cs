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
}

/// <summary>One thing that happened at a jiffy, in order.</summary>
public sealed class TimelineEvent
{
    internal TimelineEvent(long jiffies, int hz, int pageSize, TimelineEventKind kind, int pid, string name, long pages, string text, long memoryInUse = 0)
    {
        MemoryInUsePages = memoryInUse;
        PageSize = pageSize;
        Jiffies = jiffies;
        Seconds = (double)jiffies / hz;
        Kind = kind;
        Pid = pid;
        Name = name;
        Pages = pages;
        Text = text;
    }

    public long Jiffies { get; }
    /// <summary>Time since boot in seconds.</summary>
    public double Seconds { get; }
    public TimelineEventKind Kind { get; }
    public int Pid { get; }
    public string Name { get; }
    /// <summary>Pages freed or allocated, where it applies.</summary>
    public long Pages { get; }
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
        return new TimelineEvent(outcome.Jiffies, outcome.Hz, outcome.Machine.PageSize, TimelineEventKind.OutOfMemory,
            outcome.Current?.Pid ?? 0, outcome.Current?.Comm ?? OomKiller.KernelWorkerComm, 0, domain + outcome.Reason,
            outcome.MemoryInUsePages) { Outcome = outcome };
    }

    public override string ToString() => $"{Seconds,10:F3}s {Kind,-16} {Pid,7} {Name,-15} {Text}";
}
