using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// A change to a process already on a machine: only the fields that are set change. The counterpart of
/// <see cref="OomTaskSpec"/>; <c>Proc.ProcessUpdates.UpdateTask</c> checks it whole before it changes anything.
/// </summary>
public sealed class OomTaskUpdate
{
    /// <summary>A privileged write of oom_score_adj (it sets oom_score_adj_min too, and reaches every process sharing the mm).</summary>
    public OomScoreAdj? OomScoreAdj { get; set; }
    /// <summary><c>signal-&gt;oom_score_adj_min</c>, set after <see cref="OomScoreAdj"/>.</summary>
    public OomScoreAdj? OomScoreAdjMin { get; set; }

    /// <summary>The mm's <c>MM_ANONPAGES</c>; the mm is shared, so every process using it sees the change.</summary>
    public Pages? AnonPages { get; set; }
    /// <summary>The mm's <c>MM_FILEPAGES</c>.</summary>
    public Pages? FilePages { get; set; }
    /// <summary>The mm's <c>MM_SHMEMPAGES</c>.</summary>
    public Pages? ShmemPages { get; set; }
    /// <summary>The mm's <c>MM_SWAPENTS</c>.</summary>
    public Pages? SwapEntries { get; set; }
    /// <summary>The mm's page-table bytes (<c>mm_pgtables_bytes</c>).</summary>
    public long? PageTableBytes { get; set; }

    /// <summary>
    /// Shared objects the mm maps from now on (or, for a shmem file it maps, unlinks). A counter given in the same
    /// update counts their pages; one not given is raised to them when it falls short.
    /// </summary>
    public System.Collections.Generic.IList<SharedMapping> Shared { get; set; } = new System.Collections.Generic.List<SharedMapping>();

    /// <summary>Move to this memory cgroup (it must exist); it joins the end of that cgroup's task list.</summary>
    public string? Cgroup { get; set; }
    /// <summary>Move to this cpuset (it must exist).</summary>
    public string? Cpuset { get; set; }

    /// <summary><c>PF_EXITING</c>.</summary>
    public bool? Exiting { get; set; }
    /// <summary><c>SIGNAL_GROUP_EXIT</c>.</summary>
    public bool? GroupExiting { get; set; }
    /// <summary>A core dump in progress (with no end; see <see cref="CoreDumpFor"/>).</summary>
    public bool? CoreDumping { get; set; }
    /// <summary><c>in_vfork()</c>.</summary>
    public bool? InVfork { get; set; }
    /// <summary><c>signal-&gt;oom_flag_origin</c>.</summary>
    public bool? OomOrigin { get; set; }
    /// <summary>Frozen by the cgroup freezer or suspend.</summary>
    public bool? Frozen { get; set; }

    /// <summary>How long the process takes to exit once killed.</summary>
    public Milliseconds? ExitLatency { get; set; }
    /// <summary>A writer holds the mm's mmap_lock for this long from now; zero releases it. No effect without an mm.</summary>
    public Milliseconds? HoldMmapLock { get; set; }
    /// <summary>The process dumps core for this long from now; zero ends the dump. Applied after <see cref="CoreDumping"/>.</summary>
    public Milliseconds? CoreDumpFor { get; set; }
    /// <summary>An MMU notifier that cannot run without blocking covers the mm (reaping is partial). No effect without an mm.</summary>
    public bool? MmuNotifierBlocks { get; set; }

    /// <summary>Whether any of the mm's counters change (which needs an mm).</summary>
    internal bool ChangesMemory =>
        AnonPages is not null || FilePages is not null || ShmemPages is not null || SwapEntries is not null || PageTableBytes is not null;
}
