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
    /// exit_mmap, which sets MMF_OOM_SKIP; otherwise <c>mm_update_next_owner</c> hands the mm on), an OOM victim
    /// calls <c>exit_oom_victim</c>, and <c>release_task</c> takes it off the task list.
    /// </summary>
    public void DoExit(OomTask task)
    {
        if (task is null) throw new System.ArgumentNullException(nameof(task));
        if (!ReferenceEquals(m.FindTask(task.Pid), task))
            throw new OomEngineException(OomError.TaskNotFound, $"Process {task} is not on machine '{m.Name}'.", task.Pid);
        if (task.Mm is { } mm)
        {
            mm.Users -= task.ThreadsWithMm;
            if (mm.Users <= 0) mm.Flags |= MmFlags.OomSkip;
            else if (mm.OwnerPid == task.Pid)
            {
                // mm_update_next_owner(): another process using the mm becomes its owner.
                foreach (var t in m.Tasks)
                    if (!ReferenceEquals(t, task) && ReferenceEquals(t.Mm, mm)) { mm.OwnerPid = t.Pid; break; }
            }
        }
        if (task.MemDie) new OomKiller(m).ExitOomVictim(task);
        m.ReleaseTask(task);
    }

    /// <summary>
    /// A killed process gets to run and handles its SIGKILL (<c>do_group_exit</c> → <see cref="DoExit"/>), unless
    /// something holds it: the freezer, a core dump still being written, or mmap_lock held by a writer — a hold with
    /// a known end queues the exit again for then. A core dump whose end has come finishes first, as a step of its
    /// own (<see cref="ExitAttempt.CoreDumpFinished"/>: call again for the exit, at the same moment). When the
    /// process exits as the mm's last user, exit_mmap frees the anonymous pages and swap entries.
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
        long freed = 0;
        if (task.Mm is { } mm && mm.Users - task.ThreadsWithMm <= 0)
        {
            freed = mm.anon + mm.swapEnts;
            new MemCgroups(m).Uncharge(mm, mm.AnonPages);
        }
        DoExit(task);
        return ExitAttempt.Exited(task, freed);
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
