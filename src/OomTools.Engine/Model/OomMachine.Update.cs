using System;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    /// <summary>
    /// Applies the parts of a checked <paramref name="update"/> that are the process's own state (everything but
    /// the oom_score_adj write and the wake-up, which <c>Proc.ProcessUpdates.UpdateTask</c> does around it).
    /// </summary>
    internal void ApplyUpdate(OomTask task, OomTaskUpdate update, MemoryCgroup? memcg, Cpuset? cpuset)
    {
        if (update.OomScoreAdjMin is { } min) task.OomScoreAdjMin = min;
        if (task.Mm is { } mm)
        {
            if (update.AnonPages is { } anon) mm.AnonPages = anon;
            if (update.FilePages is { } file) mm.FilePages = file;
            if (update.ShmemPages is { } shmem) mm.ShmemPages = shmem;
            if (update.SwapEntries is { } swap) mm.SwapEntries = swap;
            if (update.PageTableBytes is { } pgtables) mm.PageTableBytes = pgtables;
        }
        if (task.Mm is { } sharingMm) ApplySharing(sharingMm, ResolveSharing(task.Pid, sharingMm, task.Memcg, update.Shared), growTotalVm: true);
        if (memcg is not null) MoveTask(task, memcg);
        if (cpuset is not null) MoveTask(task, cpuset);
        if (update.Exiting is { } exiting) task.Exiting = exiting;
        if (update.GroupExiting is { } groupExiting) task.GroupExiting = groupExiting;
        if (update.CoreDumping is { } coreDumping) task.CoreDumping = coreDumping;
        if (update.InVfork is { } inVfork) task.InVfork = inVfork;
        if (update.OomOrigin is { } oomOrigin) task.OomOrigin = oomOrigin;
        if (update.Frozen is { } frozen) task.Frozen = frozen;
        if (update.ExitLatency is { } latency) task.ExitLatency = latency.ToJiffies(Hz);
        if (update.HoldMmapLock is { } hold && task.Mm is { } lockMm)
            lockMm.MmapLockRelease = hold.Value == 0 ? null : FromNow(hold);
        if (update.CoreDumpFor is { } dump)
        {
            task.CoreDumping = dump.Value > 0;
            task.CoreDumpEnd = dump.Value > 0 ? FromNow(dump) : null;
        }
        if (update.MmuNotifierBlocks is { } blocks && task.Mm is { } notifierMm) notifierMm.MmuNotifierBlocks = blocks;
    }

    /// <summary>
    /// Checks <paramref name="update"/> against <paramref name="task"/> without changing anything: the process
    /// is on this machine, no size is negative, memory counters change only where there is an mm, the cgroup and
    /// cpuset exist. Throws the error an update would.
    /// </summary>
    public void CheckUpdate(OomTask task, OomTaskUpdate update) => ResolveUpdate(task, update);

    internal (MemoryCgroup? Memcg, Cpuset? Cpuset) ResolveUpdate(OomTask task, OomTaskUpdate update)
    {
        if (task is null) throw new ArgumentNullException(nameof(task));
        if (update is null) throw new ArgumentNullException(nameof(update));
        if (!ReferenceEquals(FindTask(task.Pid), task))
            throw new OomEngineException(OomError.TaskNotFound, $"Process {task} is not on machine '{Name}'.", task.Pid);
        if (update.AnonPages is { } anon) CheckSize("anonymous rss", anon);
        if (update.FilePages is { } file) CheckSize("file rss", file);
        if (update.ShmemPages is { } shmem) CheckSize("shmem rss", shmem);
        if (update.SwapEntries is { } swap) CheckSize("swap", swap);
        if (update.PageTableBytes is { } pgtables) CheckPageTableBytes(pgtables);
        CheckDuration("exit latency", update.ExitLatency);
        CheckDuration("mmap_lock hold", update.HoldMmapLock);
        CheckDuration("core dump", update.CoreDumpFor);
        if (update.ChangesMemory && task.Mm is null)
            throw new OomEngineException(OomError.InvalidState, $"Process {task} has no mm whose counters could change.", task.Pid);
        CheckUpdateSharing(task, update);
        var memcg = update.Cgroup is null ? null : GetCgroup(update.Cgroup);
        var cpuset = update.Cpuset is null ? null : GetCpuset(update.Cpuset);
        return (memcg, cpuset);
    }

    private static void CheckDuration(string what, Milliseconds? duration)
    {
        if (duration is { Value: < 0 } d)
            throw new OomEngineException(OomError.InvalidArgument, $"The {what} cannot be negative ({d}).", d);
    }

    /// <summary>The jiffy <paramref name="duration"/> from now.</summary>
    private Jiffies FromNow(Milliseconds duration) => Now + duration.ToJiffies(Hz);
}
