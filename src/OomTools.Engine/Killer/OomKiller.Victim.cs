using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary>
    /// <c>mark_oom_victim()</c>: TIF_MEMDIE (once), <c>signal-&gt;oom_mm</c> bound to the mm, the task thawed so it
    /// can exit, and one more victim in flight (<c>oom_victims</c>).
    /// </summary>
    public void MarkOomVictim(OomTask tsk)
    {
        if (tsk.MemDie) return;
        m.BeforeOomChange(tsk);
        tsk.MemDie = true;
        tsk.OomMm ??= tsk.Mm;
        tsk.Frozen = false;
        m.OomVictims++;
    }

    /// <summary><c>exit_oom_victim()</c>: the victim has released its mm; one fewer in flight.</summary>
    public void ExitOomVictim(OomTask tsk)
    {
        if (!tsk.MemDie) return;
        tsk.MemDie = false;
        if (m.OomVictims > 0) m.OomVictims--;
    }

    /// <summary>
    /// <c>process_shares_mm()</c>: whether the first thread of <paramref name="p"/> that still has an mm uses
    /// <paramref name="mm"/> (a leader that exited early says nothing).
    /// </summary>
    public static bool ProcessSharesMm(OomTask p, MemoryDescriptor mm) =>
        FindLockTaskMm(p) >= 0 && ReferenceEquals(p.Mm, mm);

    /// <summary>
    /// <c>__task_will_free_mem()</c>: a group exit is under way (and no core dump holds it), or the only thread
    /// is exiting.
    /// </summary>
    public static bool DoTaskWillFreeMem(OomTask task)
    {
        if (task.CoreDumping) return false;
        if (task.GroupExiting) return true;
        if (task.ThreadCount == 1 && task.Exiting) return true;
        return false;
    }

    /// <summary>
    /// <c>task_will_free_mem()</c>: the task is dying and will release its address space — every process
    /// sharing the mm is dying too, and the reaper has not already drained it.
    /// </summary>
    public bool TaskWillFreeMem(OomTask task) => TaskWillFreeMem(task, task.LeaderMm);

    /// <summary>task_will_free_mem() on the thread of <paramref name="task"/> whose mm is <paramref name="mm"/>.</summary>
    internal bool TaskWillFreeMem(OomTask task, MemoryDescriptor? mm)
    {
        if (mm is null) return false;
        if (!DoTaskWillFreeMem(task)) return false;
        if ((mm.Flags & MmFlags.OomSkip) != 0) return false;
        if (mm.Users <= 1) return true;
        foreach (var p in m.Tasks)
        {
            if (!ProcessSharesMm(p, mm) || ReferenceEquals(p, task)) continue;
            if (!DoTaskWillFreeMem(p)) return false;
        }
        return true;
    }
}
