using System;
using System.Globalization;

namespace OomTools.Engine.Host;

/// <summary>
/// Whether a process is <c>in_vfork()</c> (include/linux/sched/mm.h): its <c>vfork_done</c> is set and its real
/// parent uses the same mm. Neither is in <c>/proc</c>'s text, but both have a trace there:
/// <list type="bullet">
/// <item><c>vfork_done</c> is set by <c>clone(CLONE_VFORK)</c> (vfork, posix_spawn) and cleared when the child execs
/// or exits (<c>mm_release</c> completes it) or the parent is killed out of its wait. While it is set, the parent's
/// thread that made the call sleeps killable (<c>State: D</c>) in <c>wait_for_vfork_done</c>, whose frame is the
/// first outside the scheduler: its <c>wchan</c> says <c>wait_for_vfork_done</c>, or <c>kernel_clone</c> where that
/// is inlined (<c>_do_fork</c> before 5.10, <c>do_fork</c> before 4.2).</item>
/// <item>The child and its parent use one mm: <c>kcmp(KCMP_VM)</c> says so (<see cref="IMmIdentity"/>).</item>
/// </list>
/// The rule: a process is in vfork when it shares its parent's (<c>PPid</c>) mm and a thread of that parent sleeps
/// in the vfork wait. Its limit: a parent with one thread in the vfork wait and, besides that vfork child, another
/// child made with CLONE_VM but without CLONE_VFORK gets both children marked (<c>/proc</c> does not say which child a
/// thread waits for). <c>wchan</c> needs ptrace read access; without it the child is not marked.
/// </summary>
internal static class ProcVfork
{
    /// <summary>A thread of <paramref name="parentPid"/> sleeps in the vfork wait.</summary>
    public static bool ParentWaits(IHostFileSystem fs, string procRoot, int parentPid, Action<string> warn)
    {
        var taskDir = HostSnapshot.Join(procRoot, parentPid.ToString(CultureInfo.InvariantCulture) + "/task");
        foreach (var tid in fs.Folders(taskDir))
        {
            var wchan = HostSnapshot.Read(fs, HostSnapshot.Join(taskDir, tid + "/wchan"), warn)?.Trim();
            if (wchan is not ("wait_for_vfork_done" or "kernel_clone" or "_do_fork" or "do_fork")) continue;
            // The wait is killable: TASK_UNINTERRUPTIBLE | TASK_WAKEKILL, shown as D.
            var stat = HostSnapshot.Read(fs, HostSnapshot.Join(taskDir, tid + "/stat"), warn);
            int close = stat?.LastIndexOf(')') ?? -1;
            if (close >= 0 && close + 2 < stat!.Length && stat[close + 2] == 'D') return true;
        }
        return false;
    }
}
