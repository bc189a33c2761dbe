using System.Collections.Generic;
using OomTools.Engine.Memcontrol;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary>
    /// <c>oom_kill_process()</c>: a chosen task that is already dying is only marked and queued for the reaper;
    /// otherwise the report is printed (rate-limited, 10 per 5 s), the victim and its mm sharers are killed, and
    /// with memory.oom.group the whole group follows. Returns what it did: the processes signalled, and why it
    /// stopped short when it did.
    /// </summary>
    public OutOfMemoryResult OomKillProcess(OomControl oc, string message)
    {
        var result = new OutOfMemoryResult();
        OomKillProcess(oc, message, result);
        return result;
    }

    private void OomKillProcess(OomControl oc, string message, OutOfMemoryResult result)
    {
        var victim = oc.Chosen!;
        if (TaskWillFreeMem(victim))
        {
            MarkOomVictim(victim);
            QueueOomReaper(victim);
            result.EarlyReturn = $"the chosen task {victim} is already exiting; it was only given the memory reserves";
            return;
        }

        if (m.OomKillRateLimit.Allow(m.Now, Log.RateLimit.DefaultInterval(m.Hz), m.Log))
        {
            DumpHeader(oc);
            DumpOomVictim(oc, victim);
        }

        // Decide on the group before the victim is gone.
        var oomGroup = memCgroups.MemCgroupGetOomGroup(victim, oc.Memcg);
        if (FindLockTaskMm(victim) < 0)
            result.EarlyReturn = $"the chosen task {victim} had already released its memory (is already exiting); it was not killed";
        result.TakeFirstKill(DoOomKill(victim, message));

        if (oomGroup is not null)
        {
            memCgroups.MemcgMemoryEvent(oomGroup, MemcgEvent.OomGroupKill);
            m.Log.OomGroupKill(oomGroup.Path);
            foreach (var task in MemCgroups.ScanTasks(oomGroup).ToSnapshot())
                result.AddKilled(OomKillMemcgMember(task, message));
        }
    }

    /// <summary>
    /// <c>__oom_kill_process()</c>: SIGKILL to the victim (through a thread that still has the mm), mark it,
    /// print <c>Killed process</c>, then SIGKILL every other user process sharing the mm. Global init sharing it
    /// pins the mm: MMF_OOM_SKIP is set and the reaper is not queued. Kernel threads using it are left alone.
    /// Returns the processes that received SIGKILL, in order (none when the victim had already let go of its mm).
    /// </summary>
    public IReadOnlyList<OomTask> DoOomKillProcess(OomTask victim, string message) => DoOomKill(victim, message);

    // The list is new and each process is in it once (SendSigkill adds a process only once): a result may keep it.
    private List<OomTask> DoOomKill(OomTask victim, string message)
    {
        var killed = new List<OomTask>(1); // the victim, and the few that share its mm if any
        int tid = FindLockTaskMm(victim);
        if (tid < 0)
        {
            m.Log.OomVictimAlreadyExiting(message, victim.Pid, victim.Comm);
            return killed;
        }
        var mm = victim.Mm!;
        bool canOomReap = true;

        m.OomKillCount++;
        memCgroups.MemcgMemoryEvent(victim.Memcg, MemcgEvent.OomKill);
        SendSigkill(victim, killed);
        MarkOomVictim(victim);
        OomMessages.KilledProcess(m.Log, message, tid, victim, m.PageSize);

        if (mm.Users > victim.ThreadsWithMm)
        {
            foreach (var p in m.Tasks.ToSnapshot())
            {
                if (!ProcessSharesMm(p, mm) || ReferenceEquals(p, victim)) continue;
                if (p.IsGlobalInit)
                {
                    canOomReap = false;
                    mm.Flags |= MmFlags.OomSkip;
                    m.Log.MmPinned(tid, victim.Comm, p.Pid, p.Comm);
                    continue;
                }
                // No kthread_use_mm() user reads user memory, so reaping is still safe.
                if (p.IsKernelThread) continue;
                SendSigkill(p, killed);
            }
        }
        if (canOomReap) QueueOomReaper(victim);
        return killed;
    }

    /// <summary>
    /// <c>oom_kill_memcg_member()</c>: kills a group member unless it is -1000 or global init. Returns the
    /// processes that received SIGKILL.
    /// </summary>
    public IReadOnlyList<OomTask> OomKillMemcgMember(OomTask task, string message) =>
        task.oomScoreAdj != OomScoreAdj.MinValue && !task.IsGlobalInit
            ? DoOomKillProcess(task, message)
            : System.Array.Empty<OomTask>();

    /// <summary>
    /// SIGKILL to a thread group: <c>complete_signal()</c> sets SIGNAL_GROUP_EXIT at once, and the process will
    /// run to its exit (queued on the machine's timeline).
    /// </summary>
    private void SendSigkill(OomTask p, List<OomTask> killed)
    {
        m.BeforeOomChange(p);
        if (!p.GroupExiting) m.ScheduleExit(p);
        p.GroupExiting = true;
        if (!killed.Contains(p)) killed.Add(p);
    }
}
