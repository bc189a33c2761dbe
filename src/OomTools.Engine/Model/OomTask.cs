using System;
using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// A process (thread group) as the OOM killer sees it: identity, its mm, its threads, the
/// <c>signal_struct</c> fields (oom_score_adj, SIGNAL_GROUP_EXIT, core dump, oom_mm, OOM origin), the task flags
/// the seed tests (PF_KTHREAD, PF_EXITING, in vfork, TIF_MEMDIE) and where it lives (memcg, cpuset, mempolicy).
/// </summary>
public sealed class OomTask
{
    /// <summary>The kernel keeps 15 characters of a command name (TASK_COMM_LEN 16 with the NUL).</summary>
    public const int CommLength = 15;

    // The layout is kept small (bench/: bytes per task at 1,000,000 tasks): the flags in one field, the fields most
    // processes leave at their defaults in a side object (OomTaskCold) created on the first other value.
    // What select_bad_process reads of a task (threads, adj, the flags and mms below) is written through setters
    // that move ScoreVersion, so the killer's score table is rebuilt after any change.
    // The other threads of a multi-threaded process that sets no cold field (their ids, ThreadIds), or the cold side object,
    // which then holds them; null for a single-threaded process with every cold field at its default.
    private object? extra;
    private OomTaskCold? cold => extra as OomTaskCold;
    private OomTaskCold Cold
    {
        get
        {
            if (extra is OomTaskCold c) return c;
            c = new OomTaskCold();
            if (extra is int[] threads) c.threads = threads;
            extra = c;
            return c;
        }
    }
    private ushort bits = LeaderHasMmBit;
    private const ushort LeaderHasMmBit = 1, KthreadBit = 2, InitBit = 4, ExitingBit = 8, GroupExitingBit = 16, CoreDumpingBit = 32,
        InVforkBit = 64, OriginBit = 128, FrozenBit = 256, MemDieBit = 512, CapKnownBit = 1024, CapBit = 2048, OwnTgidBit = 4096;

    private bool Bit(ushort bit) => (bits & bit) != 0;
    private void SetBit(ushort bit, bool on) => bits = on ? (ushort)(bits | bit) : (ushort)(bits & ~bit);

    // Extra threads after the leader; empty for the common single-threaded process.
    internal ThreadIds otherThreads
    {
        get => extra is null ? default : ThreadIds.FromRaw(extra as int[] ?? ((OomTaskCold)extra).threads);
        set
        {
            if (extra is OomTaskCold c) c.threads = value.Raw;
            else extra = value.Raw;
            ScoreVersion.Bump();
            UsageVersion.Bump();
        }
    }
    internal bool leaderHasMm { get => Bit(LeaderHasMmBit); set { SetBit(LeaderHasMmBit, value); ScoreVersion.Bump(); UsageVersion.Bump(); } }
    internal short oomScoreAdj { get => adjRaw; set { adjRaw = value; ScoreVersion.Bump(); } }
    private short adjRaw;
    internal short oomScoreAdjMin { get => placement.AdjMin; set => placement = placement.WithAdjMin(value); }
    private const long NoJiffy = OomTaskCold.NoJiffy;

    internal OomTask(int pid, string comm)
    {
        Pid = pid;
        placement = TaskPlacement.Of(TruncateComm(comm), null, null, 0, 0);
    }

    /// <summary>The process id (<c>task-&gt;pid</c> of the thread-group leader, the tgid).</summary>
    public int Pid { get; }
    /// <summary>The thread-group id printed in the task table; the pid of the leader.</summary>
    public int Tgid
    {
        get => Bit(OwnTgidBit) ? cold!.tgid : Pid;
        internal set
        {
            if (value != Pid) Cold.tgid = value;
            SetBit(OwnTgidBit, value != Pid);
        }
    }
    /// <summary><c>task-&gt;comm</c>, cut to 15 characters.</summary>
    public string Comm => placement.Comm;
    /// <summary>The uid (<c>task_uid()</c>) printed in the task table and the oom-kill line; uid 0 stands for CAP_SYS_ADMIN in the root bonus before 4.17.</summary>
    public int Uid { get => placement.Uid; set => placement = placement.WithUid(value); }
    /// <summary>
    /// <c>has_capability_noaudit(p, CAP_SYS_ADMIN)</c>, which the root bonus before 4.17 reads; null lets uid 0 stand
    /// for it. False for root in a container that dropped the capability (Docker's default).
    /// </summary>
    public bool? CapSysAdmin
    {
        get => Bit(CapKnownBit) ? Bit(CapBit) : null;
        set
        {
            SetBit(CapKnownBit, value.HasValue);
            SetBit(CapBit, value == true);
        }
    }
    /// <summary>Whether the root bonus applies: <see cref="CapSysAdmin"/>, or uid 0 when it is not known.</summary>
    public bool HasCapSysAdmin => CapSysAdmin ?? Uid == 0;

    /// <summary>
    /// The host process this task was read from (Get-OomSnapshot of this host's /proc): its boot id and start time;
    /// null for a task made by hand, imported, or read from a saved tree without a boot id.
    /// </summary>
    public HostOrigin? HostOrigin
    {
        get => cold?.hostOrigin;
        internal set { if (cold is not null || value is not null) Cold.hostOrigin = value; }
    }

    /// <summary>The process's address space; null when every thread has dropped it.</summary>
    public MemoryDescriptor? Mm
    {
        get => mm;
        internal set
        {
            if (mm is not null) mm.processes--;
            mm = value;
            if (value is not null) value.processes++;
            ScoreVersion.Bump();
            UsageVersion.Bump();
        }
    }
    private MemoryDescriptor? mm;

    /// <summary><c>signal-&gt;oom_score_adj</c>, -1000 (OOM_SCORE_ADJ_MIN: never killed) to 1000, as written to <c>/proc/PID/oom_score_adj</c>.</summary>
    public OomScoreAdj OomScoreAdj { get => OomScoreAdj.From(oomScoreAdj); set => oomScoreAdj = value.Value; }
    /// <summary><c>signal-&gt;oom_score_adj_min</c>: the floor a writer without CAP_SYS_RESOURCE may lower to.</summary>
    public OomScoreAdj OomScoreAdjMin { get => OomScoreAdj.From(oomScoreAdjMin); set => oomScoreAdjMin = value.Value; }

    /// <summary><c>PF_KTHREAD</c>.</summary>
    public bool IsKernelThread { get => Bit(KthreadBit); set { SetBit(KthreadBit, value); ScoreVersion.Bump(); } }
    /// <summary><c>is_global_init()</c>: pid 1 of the initial pid namespace.</summary>
    public bool IsGlobalInit { get => Bit(InitBit); set { SetBit(InitBit, value); ScoreVersion.Bump(); } }
    /// <summary><c>PF_EXITING</c> on the task.</summary>
    public bool Exiting { get => Bit(ExitingBit); set => SetBit(ExitingBit, value); }
    /// <summary><c>SIGNAL_GROUP_EXIT</c>: a fatal signal (such as the OOM killer's SIGKILL) is tearing the group down.</summary>
    public bool GroupExiting { get => Bit(GroupExitingBit); set => SetBit(GroupExitingBit, value); }
    /// <summary><c>sig-&gt;core_state</c> is set: the group is dumping core.</summary>
    public bool CoreDumping { get => Bit(CoreDumpingBit); set => SetBit(CoreDumpingBit, value); }
    /// <summary><c>in_vfork()</c>: a vfork child still borrowing its parent's mm.</summary>
    public bool InVfork { get => Bit(InVforkBit); set { SetBit(InVforkBit, value); ScoreVersion.Bump(); } }
    /// <summary><c>signal-&gt;oom_flag_origin</c> (swapoff, KSM unmerge): chosen first with LONG_MAX points.</summary>
    public bool OomOrigin { get => Bit(OriginBit); set { SetBit(OriginBit, value); ScoreVersion.Bump(); } }
    /// <summary>Frozen by the cgroup freezer or suspend; mark_oom_victim thaws it.</summary>
    public bool Frozen { get => Bit(FrozenBit); set => SetBit(FrozenBit, value); }

    /// <summary><c>TIF_MEMDIE</c>: an OOM victim with access to memory reserves.</summary>
    public bool MemDie { get => Bit(MemDieBit); internal set => SetBit(MemDieBit, value); }
    /// <summary><c>signal-&gt;oom_mm</c>: set once by mark_oom_victim; <c>tsk_is_oom_victim()</c>.</summary>
    public MemoryDescriptor? OomMm
    {
        get => cold?.oomMm;
        internal set
        {
            if (cold is not null || value is not null) Cold.oomMm = value;
            ScoreVersion.Bump();
        }
    }
    /// <summary><c>tsk_is_oom_victim()</c>: <see cref="OomMm"/> is set.</summary>
    public bool IsOomVictim => OomMm is not null;

    /// <summary>How long after SIGKILL it takes this process to exit (null: the machine's default).</summary>
    public Jiffies? ExitLatency { get => Of(cold?.exitLatencyJiffies ?? NoJiffy); set { if (cold is not null || value.HasValue) Cold.exitLatencyJiffies = value?.Value ?? NoJiffy; } }
    /// <summary><see cref="ExitLatency"/> as a bare count of jiffies (what PowerShell reads).</summary>
    public long? ExitLatencyJiffies { get => ExitLatency?.Value; set => ExitLatency = Of(value ?? NoJiffy); }
    /// <summary>The jiffy its core dump finishes (while <see cref="CoreDumping"/>); null dumps forever.</summary>
    public Jiffies? CoreDumpEnd { get => Of(cold?.coreDumpUntil ?? NoJiffy); set { if (cold is not null || value.HasValue) Cold.coreDumpUntil = value?.Value ?? NoJiffy; } }
    /// <summary><see cref="CoreDumpEnd"/> as a bare count of jiffies (what PowerShell reads).</summary>
    public long? CoreDumpUntil { get => CoreDumpEnd?.Value; set => CoreDumpEnd = Of(value ?? NoJiffy); }

    /// <summary>The jiffy the oom_reaper timer fires (<c>timer.expires</c>, set by queue_oom_reaper), if queued.</summary>
    public Jiffies? ReaperTimer { get => Of(cold?.reaperTimerExpires ?? NoJiffy); internal set { if (cold is not null || value.HasValue) Cold.reaperTimerExpires = value?.Value ?? NoJiffy; } }
    /// <summary><see cref="ReaperTimer"/> as a bare count of jiffies (what PowerShell reads).</summary>
    public long? ReaperTimerExpires => ReaperTimer?.Value;

    private static Jiffies? Of(long raw) => raw == NoJiffy ? null : new Jiffies(raw);

    /// <summary>The memory cgroup the process is charged to (<c>mem_cgroup_from_task()</c>).</summary>
    public MemoryCgroup Memcg { get => placement.Memcg!; internal set => placement = placement.WithMemcg(value); }
    /// <summary>The cpuset the process belongs to (<c>task_cs()</c>), whose <c>mems_allowed</c> oom_cpuset_eligible reads.</summary>
    public Cpuset Cpuset { get => placement.Cpuset!; internal set { placement = placement.WithCpuset(value); ScoreVersion.Bump(); } }
    // The comm, memory cgroup, cpuset, uid and oom_score_adj_min, shared with the other processes of the same values.
    private TaskPlacement placement;
    /// <summary>An MPOL_BIND mempolicy's nodes; null for the default policy.</summary>
    public NodeMask? MempolicyBind
    {
        get => cold is { hasMempolicyBind: true } c ? new NodeMask(c.mempolicyBind) : null;
        set
        {
            if (cold is not null || value.HasValue)
            {
                Cold.hasMempolicyBind = value.HasValue;
                Cold.mempolicyBind = value?.Bits ?? 0;
            }
            ScoreVersion.Bump();
        }
    }

    /// <summary>The threads, leader first (<c>for_each_thread</c> order).</summary>
    public IReadOnlyList<OomThread> ThreadList
    {
        get
        {
            var others = otherThreads;
            var all = new OomThread[1 + others.Length];
            all[0] = new OomThread(Pid, leaderHasMm);
            others.CopyTo(all, 1);
            return all;
        }
    }

    /// <summary>How many threads the process has, the leader included (<c>get_nr_threads()</c>).</summary>
    public int ThreadCount => 1 + otherThreads.Length;

    /// <summary><c>task-&gt;mm</c> of the leader: null once the leader has passed exit_mm.</summary>
    public MemoryDescriptor? LeaderMm => leaderHasMm ? Mm : null;

    internal int ThreadsWithMm
    {
        get
        {
            if (Mm is null) return 0;
            int n = leaderHasMm ? 1 : 0;
            foreach (var t in otherThreads) if (t.HasMm) n++;
            return n;
        }
    }

    /// <summary>The mm's <c>MM_ANONPAGES</c> (zero without an mm); likewise the other counters below.</summary>
    public Pages AnonPages => Mm?.AnonPages ?? Pages.Zero;
    /// <summary>The mm's <c>MM_FILEPAGES</c>, zero without an mm.</summary>
    public Pages FilePages => Mm?.FilePages ?? Pages.Zero;
    /// <summary>The mm's <c>MM_SHMEMPAGES</c>, zero without an mm.</summary>
    public Pages ShmemPages => Mm?.ShmemPages ?? Pages.Zero;
    /// <summary>The mm's <c>MM_SWAPENTS</c>: swap entries, in pages; zero without an mm.</summary>
    public Pages SwapEntries => Mm?.SwapEntries ?? Pages.Zero;
    /// <summary><c>mm_pgtables_bytes()</c>, in bytes; zero without an mm.</summary>
    public long PageTableBytes => Mm?.PageTableBytes ?? 0;
    /// <summary><c>mm-&gt;total_vm</c>, in pages; zero without an mm.</summary>
    public Pages TotalVm => Mm?.TotalVm ?? Pages.Zero;
    /// <summary>The pid owning the mm this process borrows through CLONE_VM; null when the mm is its own.</summary>
    public int? SharesMemoryWith => Mm is { } mm && mm.OwnerPid != Pid ? mm.OwnerPid : null;
    /// <summary><c>get_mm_rss()</c>.</summary>
    public Pages Rss => Mm?.Rss ?? Pages.Zero;

    /// <summary><paramref name="comm"/> cut to <see cref="CommLength"/> characters, as <c>__set_task_comm()</c> stores it.</summary>
    public static string TruncateComm(string comm) =>
        comm.Length > CommLength ? comm.Substring(0, CommLength) : comm;

    /// <summary>A copy of the task's fields without its mm (the caller sets the copy's, so each mm counts its tasks).</summary>
    internal OomTask CloneShallow()
    {
        var copy = (OomTask)MemberwiseClone();
        copy.mm = null;
        copy.extra = extra is OomTaskCold c ? c.Copy() : extra; // a thread array is shared: it is only ever replaced whole
        return copy;
    }

    /// <summary><c>PID (comm)</c>.</summary>
    public override string ToString() => $"{Pid} ({Comm})";
}
