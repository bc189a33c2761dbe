using OomTools.Engine.Exit;
using OomTools.Engine.Model;

namespace OomTools.Engine.Proc;

/// <summary>
/// Changing a process from outside, as an administrator does: the <c>/proc/PID/oom_score_adj</c> write, the
/// process's own counters and states, a move through cgroupfs, and the wake-up a dying process that is no
/// longer held needs to go on to exit.
/// </summary>
public static class ProcessUpdates
{
    extension(OomMachine machine)
    {
        /// <summary>
        /// Changes a process on this machine as <paramref name="update"/> says. Every part of it is checked first
        /// (<see cref="OomMachine.CheckUpdate"/>); on any error nothing changes. A dying process that nothing
        /// holds any more goes on to exit afterwards.
        /// </summary>
        public OomTask UpdateTask(OomTask task, OomTaskUpdate update)
        {
            var (memcg, cpuset) = machine.ResolveUpdate(task, update);
            // Checks are done: from here on the machine changes.
            if (update.OomScoreAdj is { } adj) machine.SetOomScoreAdj(task, adj);
            machine.ApplyUpdate(task, update, memcg, cpuset);
            // A dying process that is no longer held (or was just sent SIGKILL) goes on to exit.
            machine.Exit.WakeUpProcess(task);
            return task;
        }
    }
}
