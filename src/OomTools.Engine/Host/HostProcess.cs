using System.Collections.Generic;
using OomTools.Engine.Model;

namespace OomTools.Engine.Host;

/// <summary>One process as a snapshot read it, before it becomes a task of the machine.</summary>
internal sealed class HostProcess
{
    private const uint PF_KTHREAD = 0x200000;

    public HostProcess(string baseDir, ProcStatus status, long start, uint flags, int adj)
    {
        BaseDir = MmDir = baseDir;
        Status = MmStatus = status;
        Start = start;
        Flags = flags;
        Adj = adj;
    }

    /// <summary><c>PROC/PID</c>.</summary>
    public readonly string BaseDir;
    /// <summary>The leader's status.</summary>
    public readonly ProcStatus Status;
    /// <summary>stat's start time (clock ticks) and flags.</summary>
    public readonly long Start;
    /// <summary>stat's <c>PF_*</c> flags.</summary>
    public readonly uint Flags;
    /// <summary>oom_score_adj.</summary>
    public readonly int Adj;
    /// <summary>The memory cgroup and cpuset paths from <c>PID/cgroup</c>, when read.</summary>
    public string? Memcg, Cpuset;

    /// <summary>The status whose Vm lines are the mm: the leader's, or a live thread's when the leader has exited.</summary>
    public ProcStatus MmStatus;
    /// <summary>Where the mm's files (smaps_rollup, smaps) are read: <c>PROC/PID</c> or <c>PROC/PID/task/TID</c>.</summary>
    public string MmDir;
    /// <summary>The threads of an exited leader; null otherwise.</summary>
    public ProcThreads? Threads;

    /// <summary>The earlier process whose mm this one uses (kcmp said so); null when the mm is its own.</summary>
    public HostProcess? Owner;
    /// <summary>in_vfork(): see <see cref="ProcVfork"/>.</summary>
    public bool InVfork;
    /// <summary>What smaps_rollup and smaps said of the mm, for the process that owns it.</summary>
    public SmapsRollup? SmapsRollup;
    /// <summary>The shmem mappings of the mm, when it has shmem pages.</summary>
    public List<ShmemMapping>? ShmemMappings;

    /// <summary>PF_KTHREAD, or the Kthread line of a 6.x status.</summary>
    public bool KernelThread => Status.KernelThread || (Flags & PF_KTHREAD) != 0;

    /// <summary>A user process with an mm some thread still holds.</summary>
    public bool HasMm => MmStatus.HasMm && !KernelThread;

    /// <summary>The process that owns the mm: <see cref="Owner"/>, or this one.</summary>
    public HostProcess MmRoot => Owner ?? this;
}
