using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary>
    /// <c>process_mrelease(pidfd, flags)</c>: reap a dying process's memory at once. EINVAL for flags or a
    /// process that is not dying (unless it was already reaped: 0); ESRCH when it is gone or has no mm; EINTR
    /// when the wait for mmap_lock is interrupted (modelled: a writer holds it); EAGAIN when part of it could
    /// not be reaped.
    /// </summary>
    public MreleaseResult ProcessMrelease(int pid, uint flags = 0)
    {
        if (flags != 0) return new MreleaseResult(pid, Errno.EINVAL, Pages.Zero, $"flags must be 0, not {flags}", null);
        var task = m.FindTask(pid);
        if (task is null) return new MreleaseResult(pid, Errno.ESRCH, Pages.Zero, "no such process", null);
        if (FindLockTaskMm(task) < 0) return new MreleaseResult(pid, Errno.ESRCH, Pages.Zero, "every thread has already released the mm", task);

        var mm = task.Mm!;
        // The check runs on the thread find_lock_task_mm found, which still has the mm.
        if (!TaskWillFreeMem(task, mm))
        {
            // Only an error if the work has not been done already.
            return (mm.Flags & MmFlags.OomSkip) != 0
                ? new MreleaseResult(pid, Errno.Success, Pages.Zero, "already reaped (MMF_OOM_SKIP)", task)
                : new MreleaseResult(pid, Errno.EINVAL, Pages.Zero, "the process is not dying; kill it first", task);
        }
        if (mm.IsMmapLockHeld(m.Now))
            return new MreleaseResult(pid, Errno.EINTR, Pages.Zero, "interrupted while waiting for mmap_lock, which a writer holds", task);
        if ((mm.Flags & MmFlags.OomSkip) != 0)
            return new MreleaseResult(pid, Errno.Success, Pages.Zero, "already reaped (MMF_OOM_SKIP)", task);

        long before = ReapableHeld(mm);
        bool complete = DoOomReapTaskMm(mm);
        var freed = new Pages(before - ReapableHeld(mm));
        return complete
            ? new MreleaseResult(pid, Errno.Success, freed, "reaped", task)
            : new MreleaseResult(pid, Errno.EAGAIN, freed, "an MMU notifier could not be run without blocking; part of the mm is left", task);
    }
}
