using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// Everything needed to add a process to a machine. <see cref="OomMachine.AddTask"/> checks it whole before
/// it changes anything.
/// </summary>
public sealed class OomTaskSpec
{
    /// <summary>The pid; null takes the machine's next free pid.</summary>
    public int? Pid { get; set; }
    /// <summary>The command name (<c>comm</c>); cut to 15 characters.</summary>
    public string Name { get; set; } = "task";
    /// <summary>The real uid; 0 is root (the root bonus before 4.17). Not negative.</summary>
    public int Uid { get; set; }

    /// <summary><c>MM_ANONPAGES</c> of the new mm, in pages.</summary>
    public Pages AnonPages { get; set; }
    /// <summary><c>MM_FILEPAGES</c> of the new mm, in pages.</summary>
    public Pages FilePages { get; set; }
    /// <summary><c>MM_SHMEMPAGES</c> of the new mm, in pages.</summary>
    public Pages ShmemPages { get; set; }
    /// <summary><c>MM_SWAPENTS</c> of the new mm: swap entries, in pages.</summary>
    public Pages SwapEntries { get; set; }
    /// <summary>Page-table bytes (<c>mm_pgtables_bytes</c>).</summary>
    public long PageTableBytes { get; set; }
    /// <summary>Virtual size in pages; null uses rss + swap.</summary>
    public Pages? TotalVm { get; set; }

    /// <summary><c>signal-&gt;oom_score_adj</c> (-1000 to 1000); 0 by default.</summary>
    public OomScoreAdj OomScoreAdj { get; set; }
    /// <summary><c>signal-&gt;oom_score_adj_min</c>; null is 0.</summary>
    public OomScoreAdj? OomScoreAdjMin { get; set; }

    /// <summary>Memory cgroup path ("/" when null).</summary>
    public string? Cgroup { get; set; }
    /// <summary>Cpuset path ("/" when null).</summary>
    public string? Cpuset { get; set; }
    /// <summary>The nodes of an MPOL_BIND mempolicy; null for the default policy.</summary>
    public NodeMask? MempolicyBind { get; set; }

    /// <summary>Share the mm of this pid (a CLONE_VM child); the counters then come from that mm.</summary>
    public int? SharesMemoryWith { get; set; }

    /// <summary>
    /// Shared objects the new mm maps (copy-on-write pages of the process it was forked from, shared anon regions,
    /// shmem files). A counter given counts their pages among its own; one left at zero becomes their pages.
    /// </summary>
    public System.Collections.Generic.IList<SharedMapping> Shared { get; set; } = new System.Collections.Generic.List<SharedMapping>();

    /// <summary>How many threads, the leader included (at least 1).</summary>
    public int Threads { get; set; } = 1;
    /// <summary>Ids of the threads after the leader (pid+1, pid+2, … when null).</summary>
    public int[]? ThreadIds { get; set; }
    /// <summary>How many threads (leader first) have already dropped the mm.</summary>
    public int DetachedThreads { get; set; }

    /// <summary><c>PF_KTHREAD</c>: a kernel thread, which has no mm of its own (unless <see cref="SharesMemoryWith"/> lends one) and is never chosen.</summary>
    public bool KernelThread { get; set; }
    /// <summary>Global init; null means "pid 1 is init".</summary>
    public bool? GlobalInit { get; set; }
    /// <summary><c>PF_EXITING</c>: the task is already exiting.</summary>
    public bool Exiting { get; set; }
    /// <summary><c>SIGNAL_GROUP_EXIT</c>: a fatal signal is tearing the group down.</summary>
    public bool GroupExiting { get; set; }
    /// <summary><c>signal-&gt;core_state</c> is set: the group is dumping core.</summary>
    public bool CoreDumping { get; set; }
    /// <summary><c>in_vfork()</c>: a vfork child still borrowing its parent's mm.</summary>
    public bool InVfork { get; set; }
    /// <summary><c>signal-&gt;oom_flag_origin</c> (swapoff, KSM unmerge): chosen first with LONG_MAX points.</summary>
    public bool OomOrigin { get; set; }
    /// <summary>Frozen by the cgroup freezer or suspend; mark_oom_victim thaws it.</summary>
    public bool Frozen { get; set; }
    /// <summary>The mm already has MMF_OOM_SKIP (reaped or exiting).</summary>
    public bool OomSkip { get; set; }
    /// <summary>
    /// The process is already an OOM victim (signal-&gt;oom_mm set, SIGKILL pending). oom_mm is set even when no
    /// thread holds the mm any more (the shared mm of <see cref="SharesMemoryWith"/>, or one of its own with these
    /// sizes): mark_oom_victim holds its own reference, and oom_evaluate_task stops at it all the same.
    /// </summary>
    public bool OomVictim { get; set; }
}
