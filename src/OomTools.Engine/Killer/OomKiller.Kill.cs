using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary>
    /// <c>oom_kill_process()</c>: a chosen task that is already dying is only marked and queued for the reaper;
    /// otherwise the report is printed (rate-limited, 10 per 5 s), the victim and its mm sharers are killed, and
    /// with memory.oom.group the whole group follows.
    /// </summary>
    public void OomKillProcess(OomControl oc, string message)
    {
        var victim = oc.Chosen!;
        if (TaskWillFreeMem(victim))
        {
            MarkOomVictim(victim);
            QueueOomReaper(victim);
            lastEarlyReturn = $"the chosen task {victim} is already exiting; it was only given the memory reserves";
            return;
        }

        if (m.OomKillRateLimit.Allow(m.Jiffies, 5L * m.Hz, m.Log))
        {
            DumpHeader(oc);
            DumpOomVictim(oc, victim);
        }

        // Decide on the group before the victim is gone.
        var oomGroup = MemCgroupGetOomGroup(victim, oc.Memcg);
        if (FindLockTaskMm(victim) < 0)
            lastEarlyReturn = $"the chosen task {victim} had already released its memory (is already exiting); it was not killed";
        DoOomKillProcess(victim, message);

        if (oomGroup is not null)
        {
            for (var c = oomGroup; c is not null && !c.IsRoot; c = c.Parent) c.OomGroupKillEvents++;
            m.Log.Info($"Tasks in {oomGroup.Path} are going to be killed due to memory.oom.group set");
            foreach (var task in TasksOf(oomGroup).ToSnapshot())
                OomKillMemcgMember(task, message);
        }
    }

    /// <summary>
    /// <c>__oom_kill_process()</c>: SIGKILL to the victim (through a thread that still has the mm), mark it,
    /// print <c>Killed process</c>, then SIGKILL every other user process sharing the mm. Global init sharing it
    /// pins the mm: MMF_OOM_SKIP is set and the reaper is not queued. Kernel threads using it are left alone.
    /// </summary>
    public void DoOomKillProcess(OomTask victim, string message)
    {
        int tid = FindLockTaskMm(victim);
        if (tid < 0)
        {
            m.Log.Info($"{message}: OOM victim {victim.Pid} ({victim.Comm}) is already exiting. Skip killing the task");
            return;
        }
        var mm = victim.Mm!;
        bool canOomReap = true;

        m.OomKillCount++;
        MemcgOomKillEvent(victim.Memcg);
        SendSigkill(victim);
        MarkOomVictim(victim);
        m.Log.Err(OomMessages.KilledProcess(message, tid, victim, m.PageSize));

        if (mm.Users > victim.ThreadsWithMm)
        {
            foreach (var p in m.Tasks.ToSnapshot())
            {
                if (!ProcessSharesMm(p, mm) || ReferenceEquals(p, victim)) continue;
                if (p.IsGlobalInit)
                {
                    canOomReap = false;
                    mm.Flags |= MmFlags.OomSkip;
                    m.Log.Info($"oom killer {tid} ({victim.Comm}) has mm pinned by {p.Pid} ({p.Comm})");
                    continue;
                }
                // No kthread_use_mm() user reads user memory, so reaping is still safe.
                if (p.IsKernelThread) continue;
                SendSigkill(p);
            }
        }
        if (canOomReap) QueueOomReaper(victim);
    }

    /// <summary><c>oom_kill_memcg_member()</c>: kills a group member unless it is -1000 or global init.</summary>
    internal void OomKillMemcgMember(OomTask task, string message)
    {
        if (task.oomScoreAdj != OomScoreAdj.MinValue && !task.IsGlobalInit)
            DoOomKillProcess(task, message);
    }

    /// <summary>
    /// mm/memcontrol.c <c>mem_cgroup_get_oom_group()</c>: on cgroup v2, the highest cgroup with memory.oom.group
    /// between the victim's and the OOM domain (inclusive; the root has no such file).
    /// </summary>
    public MemoryCgroup? MemCgroupGetOomGroup(OomTask victim, MemoryCgroup? oomDomain)
    {
        if (m.CgroupVersion != CgroupVersion.V2) return null;
        var domain = oomDomain ?? m.RootMemcg;
        var memcg = victim.Memcg;
        if (memcg.IsRoot || !memcg.IsDescendantOf(domain)) return null;
        MemoryCgroup? group = null;
        for (var c = memcg; c is not null; c = c.Parent)
        {
            if (c.OomGroup && !c.IsRoot) group = c;
            if (ReferenceEquals(c, domain)) break;
        }
        return group;
    }

    /// <summary><c>memcg_memory_event_mm(mm, MEMCG_OOM_KILL)</c>: counted locally and, on v2, up to the root.</summary>
    private void MemcgOomKillEvent(MemoryCgroup memcg)
    {
        for (var c = memcg; c is not null && !c.IsRoot; c = m.CgroupVersion == CgroupVersion.V2 ? c.Parent : null)
            c.OomKillEvents++;
    }

    /// <summary>SIGKILL to a thread group: <c>complete_signal()</c> sets SIGNAL_GROUP_EXIT at once.</summary>
    private void SendSigkill(OomTask p)
    {
        if (!p.GroupExiting) ScheduleExit(p);
        p.GroupExiting = true;
        if (killedSink is not null && !killedSink.Contains(p)) killedSink.Add(p);
    }
}
