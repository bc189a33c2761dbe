using System.Collections.Generic;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Memcontrol;

/// <summary>
/// mm/memcontrol.c (and mm/page_counter.c) as the OOM killer and the charge path read them, for one machine:
/// memory.current, the limit an OOM is measured against, memory.oom.group, the memory.events counters, the
/// page-counter walk of a charge and the uncharge of freed pages. It sits below Killer/ because oom_kill.c
/// calls into it; the part of memcontrol.c that calls out_of_memory (mem_cgroup_out_of_memory) is in PageAlloc/.
/// </summary>
public sealed class MemCgroups
{
    private readonly OomMachine m;

    /// <summary>The memory-cgroup functions of <paramref name="machine"/>.</summary>
    public MemCgroups(OomMachine machine) => m = machine ?? throw new System.ArgumentNullException(nameof(machine));

    /// <summary>
    /// <c>memory.current</c>: as measured (a report's or a host's, moved by charges since), else the members' rss
    /// with each mm counted once — worked out afresh, so processes added, moved or changed since are in it. A
    /// shared object's pages (<see cref="SharedMemory"/>) count once, in the cgroup they are charged to, whoever
    /// maps them: not in the rss of the members that map them.
    /// </summary>
    public static Pages MemoryCurrent(MemoryCgroup memcg)
    {
        if (memcg.Usage is { } u) return u;
        long sum = 0;
        // Checked: each counter is bounded (KernelLimits), their sum over millions of tasks need not be.
        foreach (var mm in OomMachine.DistinctMms(ScanTasks(memcg))) sum = checked(sum + mm.OwnRss.Value);
        foreach (var cg in memcg.SubtreePreOrder()) sum = checked(sum + OomMachine.SharedChargedTo(cg));
        return new Pages(sum);
    }

    /// <summary>Swap entries of the cgroup's members (v2 <c>memory.swap.current</c>), each mm once.</summary>
    public static Pages SwapCurrent(MemoryCgroup memcg)
    {
        var sum = Pages.Zero;
        foreach (var mm in OomMachine.DistinctMms(ScanTasks(memcg))) sum += mm.SwapEntries;
        return sum;
    }

    /// <summary><c>mem_cgroup_scan_tasks()</c>'s order: the cgroups of the subtree in pre-order, each one's tasks in arrival order.</summary>
    public static IEnumerable<OomTask> ScanTasks(MemoryCgroup memcg)
    {
        foreach (var cg in memcg.SubtreePreOrder())
            foreach (var t in cg.tasks) yield return t;
    }

    /// <summary>
    /// <c>mem_cgroup_get_max()</c>: memory.max plus the swap the cgroup may use — v1: memsw limit minus memory
    /// limit, v2: swap.max — capped at total swap, and only when swappiness is not 0.
    /// </summary>
    public Pages MemCgroupGetMax(MemoryCgroup memcg)
    {
        long max = memcg.MemoryMax.Value;
        int swappiness = m.CgroupVersion == CgroupVersion.V1 && !memcg.IsRoot ? memcg.Swappiness ?? m.VmSwappiness : m.VmSwappiness;
        if (swappiness == 0) return new Pages(max);
        long swap = m.CgroupVersion == CgroupVersion.V1 ? memcg.MemswMax.Value - max : memcg.SwapMax.Value;
        return new Pages(max + System.Math.Min(swap, m.TotalSwapPages.Value));
    }

    /// <summary>
    /// <c>mem_cgroup_get_oom_group()</c>: on cgroup v2, the highest cgroup with memory.oom.group between the
    /// victim's and the OOM domain (inclusive; the root has no such file).
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

    /// <summary>
    /// <c>memcg_memory_event()</c>: raises a <c>memory.events</c> counter of <paramref name="memcg"/>; on v2 its
    /// ancestors count it too (the root keeps none).
    /// </summary>
    public void MemcgMemoryEvent(MemoryCgroup memcg, MemcgEvent ev)
    {
        for (var c = memcg; c is not null && !c.IsRoot; c = m.CgroupVersion == CgroupVersion.V2 ? c.Parent : null)
        {
            if (ev == MemcgEvent.OomKill) c.OomKillEvents++;
            else if (ev == MemcgEvent.Oom) c.Oom++;
            else c.OomGroupKillEvents++;
        }
    }

    /// <summary>
    /// <c>mem_cgroup_print_oom_meminfo()</c>'s counter lines: memory (and swap on v2; memory+swap and kmem on v1),
    /// with usage as <see cref="MemoryCurrent"/> reads it.
    /// </summary>
    public void MemCgroupPrintOomMeminfo(MemoryCgroup memcg)
    {
        long rss = MemoryCurrent(memcg).Value, swap = SwapCurrent(memcg).Value;
        m.Log.MemcgCounter("memory", m.K(rss), m.K(memcg.MemoryMax.Value));
        if (m.CgroupVersion == CgroupVersion.V2)
            m.Log.MemcgCounter("swap", m.K(swap), m.K(memcg.SwapMax.Value));
        else
        {
            m.Log.MemcgCounter("memory+swap", m.K(rss + swap), m.K(memcg.MemswMax.Value));
            m.Log.MemcgCounter("kmem", 0, m.K(m.PageCounterMax.Value));
        }
    }

    /// <summary>
    /// <c>page_counter_try_charge()</c>'s walk: charging goes up from <paramref name="memcg"/> and fails at the
    /// first counter a charge of <paramref name="pages"/> would take over its limit — that cgroup is returned (the
    /// OOM's memcg). Otherwise null, with <paramref name="room"/> the pages left under every limit of the chain.
    /// </summary>
    public MemoryCgroup? PageCounterTryCharge(MemoryCgroup memcg, Pages pages, out Pages room)
    {
        room = new Pages(long.MaxValue);
        for (var c = memcg; c is not null && !c.IsRoot; c = c.Parent)
        {
            var usage = MemoryCurrent(c);
            if (usage + pages > c.MemoryMax) return c;
            room = Pages.Min(room, c.MemoryMax - usage);
            if (m.CgroupVersion == CgroupVersion.V1)
            {
                var withSwap = usage + SwapCurrent(c);
                if (withSwap + pages > c.MemswMax) return c;
                room = Pages.Min(room, c.MemswMax - withSwap);
            }
        }
        return null;
    }

    /// <summary>
    /// A charge that fitted: a measured counter (a report's or a host's) moves by it up the chain; an unmeasured
    /// one is the members' sum, which already holds the grown mm.
    /// </summary>
    public static void PageCounterCharge(MemoryCgroup memcg, Pages pages)
    {
        for (var c = memcg; c is not null; c = c.Parent)
            if (c.Usage is { } u) c.Usage = u + pages;
    }

    /// <summary>
    /// Anonymous pages released (by exit_mmap or the oom_reaper) leave the owner's cgroups
    /// (<c>mem_cgroup_uncharge</c>) and the machine's count of memory in use; <c>uncharge_batch</c> then wakes
    /// charges waiting in a related memcg OOM (<see cref="MemCgroupOomRecover"/>).
    /// </summary>
    public void Uncharge(MemoryDescriptor mm, Pages pages) => Uncharge(m.FindTask(mm.OwnerPid)?.Memcg, pages);

    /// <summary>
    /// A shared object's pages, freed with its last mapping, leave the cgroup they were charged to
    /// (<c>folio_memcg()</c>, whoever mapped them last) and its ancestors, and the machine's memory in use.
    /// </summary>
    public void Uncharge(SharedMemory freed)
    {
        if (freed is null) throw new System.ArgumentNullException(nameof(freed));
        Uncharge(freed.Memcg, freed.Pages);
    }

    private void Uncharge(MemoryCgroup? memcg, Pages pages)
    {
        if (pages <= Pages.Zero) return;
        for (var c = memcg; c is not null; c = c.Parent)
            if (c.Usage is { } u) c.Usage = NotBelowZero(u - pages);
        if (m.UsedPages is { } used) m.UsedPages = NotBelowZero(used - pages);
        if (memcg is not null) MemCgroupOomRecover(memcg);
    }

    /// <summary>
    /// <c>memcg1_oom_recover()</c>: wakes the charges waiting in an OOM of <paramref name="memcg"/>, an ancestor
    /// or a descendant (nothing while it is not under OOM); each takes its under_oom mark off and tries its
    /// charge again when it next runs. Returns how many woke.
    /// </summary>
    public int MemCgroupOomRecover(MemoryCgroup memcg) =>
        m.WakeMemcgOomWaiters(memcg ?? throw new System.ArgumentNullException(nameof(memcg)));

    /// <summary>
    /// <c>mem_cgroup_oom_control_write()</c>: sets v1 <c>memory.oom_control</c>'s oom_kill_disable (EINVAL on the
    /// root; the file does not exist on v2). Clearing it wakes the charges waiting in the cgroup's OOMs.
    /// </summary>
    public void MemCgroupOomControlWrite(MemoryCgroup memcg, bool oomKillDisable)
    {
        if (memcg is null) throw new System.ArgumentNullException(nameof(memcg));
        if (m.CgroupVersion != CgroupVersion.V1)
            throw new OomEngineException(OomError.InvalidArgument, "memory.oom_control (oom_kill_disable) exists only on cgroup v1.", memcg.Path);
        if (memcg.IsRoot)
            throw new OomEngineException(OomError.InvalidArgument, "The root memory cgroup's oom_kill_disable cannot be set (EINVAL).", memcg.Path);
        memcg.OomKillDisable = oomKillDisable;
        if (!oomKillDisable) MemCgroupOomRecover(memcg);
    }

    /// <summary>
    /// <c>mem_cgroup_resize_max()</c>: a new <c>memory.max</c> (v1 <c>memory.limit_in_bytes</c>). A limit below
    /// what is charged would need reclaim (or on v2 an OOM) first, which is not modelled: refused (EBUSY). On v1
    /// the memory limit may not exceed the memory+swap limit (EINVAL). Raising it wakes the charges waiting in the
    /// cgroup's OOMs.
    /// </summary>
    public void MemCgroupResizeMax(MemoryCgroup memcg, Pages max)
    {
        if (memcg is null) throw new System.ArgumentNullException(nameof(memcg));
        if (memcg.IsRoot) throw new OomEngineException(OomError.InvalidArgument, "The root memory cgroup has no limit to set.", memcg.Path);
        if (max.Value < 0) throw new OomEngineException(OomError.NegativeSize, $"memory.max cannot be negative ({max}).", max);
        if (max > m.PageCounterMax) max = m.PageCounterMax;
        var usage = MemoryCurrent(memcg);
        if (max < memcg.MemoryMax && max < usage)
            throw new OomEngineException(OomError.InvalidState, $"memory.max {max} is below what {memcg.Path} has charged ({usage}): reclaim to make room is not modelled (EBUSY).", max);
        if (m.CgroupVersion == CgroupVersion.V1 && max > memcg.MemswMax)
            throw new OomEngineException(OomError.InvalidArgument, $"On cgroup v1 the memory limit cannot exceed memory.memsw.limit_in_bytes ({memcg.MemswMax}) (EINVAL).", max);
        bool enlarge = max > memcg.MemoryMax;
        memcg.MemoryMax = max;
        if (enlarge) MemCgroupOomRecover(memcg);
    }

    /// <summary>
    /// <c>mem_cgroup_oom_control_read()</c>: v1 <c>memory.oom_control</c> as the kernel prints it, one
    /// <c>name value</c> line each for oom_kill_disable, under_oom and oom_kill.
    /// </summary>
    public static string MemCgroupOomControlRead(MemoryCgroup memcg)
    {
        if (memcg is null) throw new System.ArgumentNullException(nameof(memcg));
        return $"oom_kill_disable {(memcg.OomKillDisable ? 1 : 0)}\nunder_oom {(memcg.UnderOom ? 1 : 0)}\noom_kill {memcg.OomKill}\n";
    }

    // A measured counter never goes negative, even when more is freed than it was told was charged.
    private static Pages NotBelowZero(Pages p) => p < Pages.Zero ? Pages.Zero : p;
}
