using OomTools.Engine.Memcontrol;
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
        m.Log.InvokedOomKiller(comm, oc.GfpMask, m.Kernel.Era.GfpNames, oc.Order, adj);
        if (oc.Memcg is { } oomMemcg) memCgroups.MemCgroupPrintOomMeminfo(oomMemcg);
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

    /// <summary>The closing totals of <c>__show_mem()</c> and <c>show_swap_cache_info()</c>.</summary>
    private void ShowMemTotals()
    {
        long present = 0, swapUsed = 0;
        foreach (var n in m.Nodes) present += n.PresentPages.Value;
        // Kept by the score table when it is current (summed at its build, followed through exits): no walk.
        if (ScoreTable.For(m).SwapUsed(m) is { } kept) swapUsed = kept;
        else foreach (var mm in OomMachine.DistinctMms(m.Tasks)) swapUsed += mm.swapEnts;
        m.Log.Warn("Mem-Info:");
        // Kept as numbers: the text is made when someone reads the log.
        m.Log.FreeSwap(m.K(System.Math.Max(0, m.TotalSwapPages.Value - swapUsed)));
        m.Log.TotalSwap(m.K(m.TotalSwapPages.Value));
        m.Log.PagesRam(present);
        m.Log.Warn("0 pages HighMem/MovableOnly");
        m.Log.PagesReserved(System.Math.Max(0, present - m.TotalRamPages.Value));
    }

    /// <summary>
    /// <c>dump_tasks()</c>: the <c>Tasks state</c> line (4.19+) and the table header of the machine's kernel, then
    /// <see cref="DumpTask"/> over the OOM domain — the memcg's subtree or every process.
    /// </summary>
    internal void DumpTasks(OomControl oc)
    {
        var layout = m.Kernel.Era.TaskTable;
        if (OomMessages.PrintsTasksState(layout)) m.Log.Info(OomMessages.TasksStateHeader);
        m.Log.Info(OomMessages.TaskTableHeaderFor(layout));
        if (oc.Memcg is { } oomMemcg)
        {
            foreach (var p in MemCgroups.ScanTasks(oomMemcg)) DumpTask(p, oc);
            return;
        }
        var tasks = (System.Collections.Generic.List<OomTask>)m.Tasks;
        int from = 0;
        int keep = m.Log.Capacity;
        // More rows than the ring keeps: the first ones would be overwritten by the rest of the table before anyone
        // could read them, so they are only counted (the score table knows which tasks print a row).
        if (tasks.Count > keep && oc.Nodemask is null && !m.CpusetsEnabled && ScoreTable.For(m) is var table && table.IsCurrent(m))
        {
            int rows = table.DumpRows(keep, out int start);
            if (rows > keep)
            {
                m.Log.WriteOverwritten(rows - keep);
                from = start;
            }
        }
        for (int i = from; i < tasks.Count; i++) DumpTask(tasks[i], oc);
    }

    /// <summary>
    /// <c>dump_task()</c>: one row of the task table, printed with the thread that still holds the mm. Unkillable
    /// tasks, tasks outside the OOM's nodes and tasks with no mm left are not listed. Returns whether a row was printed.
    /// </summary>
    internal bool DumpTask(OomTask p, OomControl oc)
    {
        if (OomUnkillableTask(p)) return false;
        if (!oc.IsMemcgOom && !OomCpusetEligible(p, oc)) return false;
        int tid = FindLockTaskMm(p);
        if (tid < 0) return false;
        // Kept as values: the text is made only if someone reads the row before the ring overwrites it.
        m.Log.TaskRow(m.Kernel.Era.TaskTable, OomMessages.TaskRowValues(tid, p));
        return true;
    }

    /// <summary>
    /// <c>dump_oom_victim()</c>: the one-line <c>oom-kill:</c> summary (constraint, nodemask, current's cpuset
    /// and mems_allowed, the OOM memcg or global_oom, the victim's memcg, comm, pid and uid).
    /// </summary>
    internal void DumpOomVictim(OomControl oc, OomTask victim)
    {
        var cpuset = CurrentCpuset(oc);
        m.Log.OomKillSummary(OomConstraintText.Of(oc.Constraint), oc.Nodemask, cpuset.Name, cpuset.Mems, oc.Memcg?.Path,
            victim.Memcg.Path, victim.Comm, victim.Pid, victim.Uid);
    }
}
