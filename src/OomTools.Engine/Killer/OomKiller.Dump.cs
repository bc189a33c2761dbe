using System.Globalization;
using OomTools.Engine.Log;
using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary>
    /// <c>should_dump_unreclaim_slab()</c>: unreclaimable slab is larger than all LRU (user) memory.
    /// </summary>
    public bool ShouldDumpUnreclaimSlab() => m.SlabUnreclaimablePages.Value > m.LruPages.Value;

    /// <summary>
    /// <c>dump_header()</c>: the <c>invoked oom-killer</c> line; the memory summary (the memcg's counters for a
    /// memcg OOM, the Mem-Info totals otherwise, plus the slab header when unreclaimable slab dominates); and
    /// the task table when vm.oom_dump_tasks is set. Stack traces and per-zone details are not modelled.
    /// </summary>
    internal void DumpHeader(OomControl oc)
    {
        var comm = oc.Current?.Comm ?? oc.CurrentComm ?? KernelWorkerComm;
        int adj = oc.Current?.oomScoreAdj ?? oc.CurrentOomScoreAdj;
        m.Log.Warn(string.Format(CultureInfo.InvariantCulture, "{0} invoked oom-killer: gfp_mask={1}, order={2}, oom_score_adj={3}",
            comm, oc.GfpMask.ToString(m.Kernel.Era.GfpNames), oc.Order, adj));
        if (oc.Memcg is { } memcg) MemCgroupPrintOomMeminfo(memcg);
        else
        {
            ShowMemTotals();
            if (ShouldDumpUnreclaimSlab())
            {
                m.Log.Info("Unreclaimable slab info:");
                m.Log.Info("Name                      Used          Total");
            }
        }
        if (m.OomDumpTasks) DumpTasks(oc);
    }

    /// <summary><c>mem_cgroup_print_oom_meminfo()</c>'s counter lines (usage is the sum of the member processes' rss).</summary>
    private void MemCgroupPrintOomMeminfo(MemoryCgroup memcg)
    {
        long k = m.PageSize / 1024, rss = MemcgUsage(memcg), swap = MemcgSwap(memcg);
        m.Log.Info($"memory: usage {rss * k}kB, limit {memcg.MemoryMax.Value * k}kB, failcnt 0");
        if (m.CgroupVersion == CgroupVersion.V2)
            m.Log.Info($"swap: usage {swap * k}kB, limit {memcg.SwapMax.Value * k}kB, failcnt 0");
        else
        {
            m.Log.Info($"memory+swap: usage {(rss + swap) * k}kB, limit {memcg.MemswMax.Value * k}kB, failcnt 0");
            m.Log.Info($"kmem: usage 0kB, limit {m.PageCounterMax.Value * k}kB, failcnt 0");
        }
    }

    /// <summary>The closing totals of <c>__show_mem()</c> and <c>show_swap_cache_info()</c>.</summary>
    private void ShowMemTotals()
    {
        long k = m.PageSize / 1024, present = 0, swapUsed = 0;
        foreach (var n in m.Nodes) present += n.PresentPages.Value;
        foreach (var mm in DistinctMms(m.Tasks)) swapUsed += mm.swapEnts;
        m.Log.Warn("Mem-Info:");
        m.Log.Warn($"Free swap  = {System.Math.Max(0, m.TotalSwapPages.Value - swapUsed) * k}kB");
        m.Log.Warn($"Total swap = {m.TotalSwapPages.Value * k}kB");
        m.Log.Warn($"{present} pages RAM");
        m.Log.Warn("0 pages HighMem/MovableOnly");
        m.Log.Warn($"{System.Math.Max(0, present - m.TotalRamPages.Value)} pages reserved");
    }

    /// <summary>
    /// <c>dump_tasks()</c> / <c>dump_task()</c>: the task table over the OOM domain, without unkillable tasks,
    /// tasks outside the nodes and tasks that have no mm left.
    /// </summary>
    internal void DumpTasks(OomControl oc)
    {
        var layout = m.Kernel.Era.TaskTable;
        if (OomMessages.PrintsTasksState(layout)) m.Log.Info(OomMessages.TasksStateHeader);
        m.Log.Info(OomMessages.TaskTableHeaderFor(layout));
        var scan = oc.Memcg is { } memcg ? TasksOf(memcg) : m.Tasks;
        foreach (var p in scan)
        {
            if (OomUnkillableTask(p)) continue;
            if (!oc.IsMemcgOom && !OomCpusetEligible(p, oc)) continue;
            int tid = FindLockTaskMm(p);
            if (tid < 0) continue;
            m.Log.Info(OomMessages.TaskRow(tid, p, layout));
        }
    }

    /// <summary>
    /// <c>dump_oom_victim()</c>: the one-line <c>oom-kill:</c> summary (constraint, nodemask, current's cpuset
    /// and mems_allowed, the OOM memcg or global_oom, the victim's memcg, comm, pid and uid).
    /// </summary>
    internal void DumpOomVictim(OomControl oc, OomTask victim)
    {
        var nodemask = oc.Nodemask is { } nm ? nm.ToString() : "(null)";
        var cpuset = CurrentCpuset(oc);
        var mems = cpuset.Mems;
        var memcgPart = oc.Memcg is { } memcg ? ",oom_memcg=" + memcg.Path : ",global_oom";
        m.Log.Info($"oom-kill:constraint={OomConstraintText.Of(oc.Constraint)},nodemask={nodemask},cpuset={cpuset.Name},mems_allowed={mems}{memcgPart},task_memcg={victim.Memcg.Path},task={victim.Comm},pid={victim.Pid},uid={victim.Uid}");
    }
}
