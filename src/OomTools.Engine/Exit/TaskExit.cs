using OomTools.Engine.Killer;
using OomTools.Engine.Memcontrol;
using OomTools.Engine.Model;

namespace OomTools.Engine.Exit;

/// <summary>
/// kernel/exit.c for one machine: a process running to its end. <see cref="DoExit"/> is the exit itself;
/// <see cref="DoGroupExit"/> is a killed process getting to run and handle its SIGKILL, which something may
/// still hold up; <see cref="WakeUpProcess"/> lets a held one go.
/// </summary>
public sealed class TaskExit
{
    private readonly OomMachine m;

    /// <summary>The exit path of <paramref name="machine"/>.</summary>
    public TaskExit(OomMachine machine) => m = machine ?? throw new System.ArgumentNullException(nameof(machine));

    /// <summary>
    /// <c>do_exit()</c>: the process exits now — its threads drop the mm (<c>exit_mm</c>; the last user runs
    /// <see cref="ExitMmap"/>, which sets MMF_OOM_SKIP; otherwise <c>mm_update_next_owner</c> hands the mm on), an
    /// OOM victim calls <c>exit_oom_victim</c>, and <c>release_task</c> takes it off the task list. Returns what
    /// exit_mmap gave back (<see cref="MmRelease.None"/>-like, <see cref="MmRelease.LastUser"/> false, when others
    /// still use the mm).
    /// </summary>
    public MmRelease DoExit(OomTask task) => DoExitValues(task).ToRelease();

    /// <summary><see cref="DoExit"/> for a kill order: the pages released (<see cref="MmRelease.Released"/>), no object made.</summary>
    internal long DoExitReleased(OomTask task) => DoExitValues(task).Released;

    private ExitMmapResult DoExitValues(OomTask task)
    {
        if (task is null) throw new System.ArgumentNullException(nameof(task));
        if (!ReferenceEquals(m.FindTask(task.Pid), task))
            throw new OomEngineException(OomError.TaskNotFound, $"Process {task} is not on machine '{m.Name}'.", task.Pid);
        // Recorded for the score table: the task's row leaves; when its mm is its own and maps no shared object, no
        // other task's row reads what the exit changes (the rows naming it as their oom_mm are checked by the table).
        // The exit changes only this machine (the task is on it): made with it as the ambient machine.
        using var scope = AmbientMachine.Enter(m);
        m.ScoreChanges.Begin();
        try
        {
            m.ScoreChanges.Touch(task);
            if (task.Mm is { } own && (own.processes != 1 || own.Users > task.ThreadsWithMm || own.shared is { Count: > 0 }))
                m.ScoreChanges.MakeOpaque();
            return Exit(task);
        }
        finally
        {
            m.ScoreChanges.End();
        }
    }

    private ExitMmapResult Exit(OomTask task)
    {
        var release = default(ExitMmapResult);
        long? inUseAfter = InUseAfterExit(task);
        if (task.Mm is { } mm)
        {
            mm.Users -= task.ThreadsWithMm;
            if (mm.Users <= 0)
            {
                release = Unmap(mm);
                mm.Flags |= MmFlags.OomSkip;
            }
            else if (mm.OwnerPid == task.Pid)
            {
                // mm_update_next_owner(): another process using the mm becomes its owner.
                foreach (var t in m.Tasks)
                    if (!ReferenceEquals(t, task) && ReferenceEquals(t.Mm, mm)) { mm.OwnerPid = t.Pid; break; }
            }
        }
        if (task.MemDie) m.Killer.ExitOomVictim(task);
        m.ReleaseTask(task);
        if (inUseAfter is { } sum) m.KeepMemoryInUse(sum);
        return release;
    }

    /// <summary>
    /// The machine's memory in use once <paramref name="task"/> has exited, worked out before the exit when that is
    /// simple, so the next reader (the exit's timeline event, the next OOM) need not sum every mm again: the sum is
    /// kept and current, and the task is the only one whose mm this is (no other task, dead or alive, has it), all
    /// of whose users are its threads, mapping no shared object. Then its exit takes that mm's pages out of the sum
    /// and changes nothing else the sum reads. Null otherwise (the sum is made again when next read).
    /// </summary>
    private long? InUseAfterExit(OomTask task)
    {
        if (m.KeptMemoryInUse() is not { } now) return null;
        if (task.Mm is not { } mm) return now;
        if (mm.processes != 1 || mm.Users > task.ThreadsWithMm || mm.shared is { Count: > 0 }) return null;
        return now - (mm.anon + mm.shmem - mm.sharedAnon - mm.sharedShmem);
    }

    /// <summary>
    /// <c>exit_mmap()</c>: the last user is gone, every mapping is unmapped. The mm's private anonymous pages are freed
    /// and uncharged from its owner's cgroup; each shared object it mapped loses this mapping, and one that nothing
    /// maps any more (and no linked tmpfs file keeps) is freed and uncharged from the cgroup it was charged to —
    /// copy-on-write pages a parent or sibling still maps, shared buffers another process still maps and a linked
    /// file's pages stay.
    /// </summary>
    public MmRelease ExitMmap(MemoryDescriptor mm) =>
        Unmap(mm ?? throw new System.ArgumentNullException(nameof(mm))).ToRelease();

    private ExitMmapResult Unmap(MemoryDescriptor mm)
    {
        long privateAnon = mm.PrivateAnonPages.Value, ownShmem = System.Math.Max(0, mm.shmem - mm.sharedShmem);
        var memcgs = m.Killer.MemCgroups;
        memcgs.Uncharge(mm, new Units.Pages(privateAnon));
        long kept = 0;
        // Most mms map no shared object: their exit makes no lists (a kill order exits hundreds of processes).
        if (mm.Shared.Count == 0)
            return new ExitMmapResult(privateAnon, mm.file, ownShmem, mm.swapEnts, m.PageTablePages(mm.PageTableBytes), ExitMmapResult.NoShared, kept);
        var freed = new System.Collections.Generic.List<SharedMemory>();
        foreach (var obj in new System.Collections.Generic.List<SharedMemory>(mm.Shared))
        {
            if (m.Unmap(mm, obj))
            {
                freed.Add(obj);
                memcgs.Uncharge(obj);
            }
            else kept += obj.Pages.Value;
        }
        return new ExitMmapResult(privateAnon, mm.file, ownShmem, mm.swapEnts, m.PageTablePages(mm.PageTableBytes), freed, kept);
    }

    /// <summary>
    /// A killed process gets to run and handles its SIGKILL (<c>do_group_exit</c> → <see cref="DoExit"/>), unless
    /// something holds it: the freezer, a core dump still being written, or mmap_lock held by a writer — a hold with
    /// a known end queues the exit again for then. A core dump whose end has come finishes first, as a step of its
    /// own (<see cref="ExitAttempt.CoreDumpFinished"/>: call again for the exit, at the same moment). When the
    /// process exits as the mm's last user, exit_mmap frees its private anonymous pages, its swap entries and the
    /// shared objects no survivor maps (<see cref="ExitMmap"/>).
    /// </summary>
    public ExitAttempt DoGroupExit(OomTask task)
    {
        if (task is null) throw new System.ArgumentNullException(nameof(task));
        if (!ReferenceEquals(m.FindTask(task.Pid), task)) return ExitAttempt.Gone(task);
        var now = m.Now;
        if (task.Frozen) return ExitAttempt.Held(task, ExitHold.Frozen, null);
        if (task.CoreDumping)
        {
            if (task.CoreDumpEnd is { } done && done > now)
            {
                m.Pending.Schedule(done, PendingKind.Exit, task);
                return ExitAttempt.Held(task, ExitHold.CoreDump, done);
            }
            if (task.CoreDumpEnd is null) return ExitAttempt.Held(task, ExitHold.CoreDump, null);
            task.CoreDumping = false;
            return ExitAttempt.CoreDumpEnded(task);
        }
        if (task.Mm is { } held && held.IsMmapLockHeld(now))
        {
            if (held.MmapLockRelease is { } release) m.Pending.Schedule(release, PendingKind.Exit, task);
            return ExitAttempt.Held(task, ExitHold.MmapLock, held.MmapLockRelease);
        }
        var released = DoExit(task);
        return ExitAttempt.Exited(task, released.Freed.Value);
    }

    /// <summary>
    /// <c>wake_up_process()</c> for a dying process: one whose exit was held (thawed, its core dump or mmap_lock
    /// let go) or that got SIGKILL from outside the OOM killer runs to its exit after its latency, unless an exit
    /// is already due.
    /// </summary>
    public void WakeUpProcess(OomTask task)
    {
        if (task is null) throw new System.ArgumentNullException(nameof(task));
        if (!task.GroupExiting || !ReferenceEquals(m.FindTask(task.Pid), task)) return;
        if (m.Pending.HasExitFor(task)) return;
        m.ScheduleExit(task);
    }
}
