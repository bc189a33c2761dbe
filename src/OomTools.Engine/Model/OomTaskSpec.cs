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
    public string Name { get; set; } = "task";
    public int Uid { get; set; }

    public Pages AnonPages { get; set; }
    public Pages FilePages { get; set; }
    public Pages ShmemPages { get; set; }
    public Pages SwapEntries { get; set; }
    /// <summary>Page-table bytes (<c>mm_pgtables_bytes</c>).</summary>
    public long PageTableBytes { get; set; }
    /// <summary>Virtual size in pages; null uses rss + swap.</summary>
    public Pages? TotalVm { get; set; }

    public OomScoreAdj OomScoreAdj { get; set; }
    public OomScoreAdj? OomScoreAdjMin { get; set; }

    /// <summary>Memory cgroup path ("/" when null).</summary>
    public string? Cgroup { get; set; }
    /// <summary>Cpuset path ("/" when null).</summary>
    public string? Cpuset { get; set; }
    public NodeMask? MempolicyBind { get; set; }

    /// <summary>Share the mm of this pid (a CLONE_VM child); the counters then come from that mm.</summary>
    public int? SharesMemoryWith { get; set; }

    public int Threads { get; set; } = 1;
    /// <summary>Ids of the threads after the leader (pid+1, pid+2, … when null).</summary>
    public int[]? ThreadIds { get; set; }
    /// <summary>How many threads (leader first) have already dropped the mm.</summary>
    public int DetachedThreads { get; set; }

    public bool KernelThread { get; set; }
    /// <summary>Global init; null means "pid 1 is init".</summary>
    public bool? GlobalInit { get; set; }
    public bool Exiting { get; set; }
    public bool GroupExiting { get; set; }
    public bool CoreDumping { get; set; }
    public bool InVfork { get; set; }
    public bool OomOrigin { get; set; }
    public bool Frozen { get; set; }
    /// <summary>The mm already has MMF_OOM_SKIP (reaped or exiting).</summary>
    public bool OomSkip { get; set; }
    /// <summary>The process is already an OOM victim (signal-&gt;oom_mm set, SIGKILL pending).</summary>
    public bool OomVictim { get; set; }
}
