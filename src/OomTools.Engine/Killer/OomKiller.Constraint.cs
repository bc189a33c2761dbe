using System;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary>
    /// <c>constrained_alloc()</c>: decides the constraint and sets <c>oc.TotalPages</c> — the memcg's
    /// <c>mem_cgroup_get_max</c> (or 1), RAM + swap, or swap plus the present pages of the mempolicy's or the
    /// cpuset's nodes. The machine is modelled with CONFIG_NUMA on, as distribution kernels are.
    /// </summary>
    public OomConstraint ConstrainedAlloc(OomControl oc)
    {
        if (oc.Memcg is { } memcg)
        {
            var max = MemCgroupGetMax(memcg).Value;
            oc.TotalPages = new Pages(max != 0 ? max : 1);
            return OomConstraint.Memcg;
        }

        oc.TotalPages = m.TotalRamPages + m.TotalSwapPages;
        if (!oc.HasZonelist) return OomConstraint.None;
        // Only __GFP_NOFAIL gets here with __GFP_THISNODE; nothing better than a global kill exists then.
        if (oc.GfpMask.Has(GfpMask.__GFP_THISNODE)) return OomConstraint.None;

        var memoryNodes = m.NodesWithMemory;
        if (oc.Nodemask is { } mask && !memoryNodes.IsSubsetOf(mask))
        {
            oc.TotalPages = m.TotalSwapPages + PresentPages(mask);
            return OomConstraint.MemoryPolicy;
        }

        var zonelistNodes = oc.Nodemask is { } nm ? memoryNodes.Intersect(nm) : memoryNodes;
        bool cpusetLimited = false;
        foreach (var nid in zonelistNodes.Nodes)
            if (!CpusetNodeAllowed(oc, nid)) cpusetLimited = true;
        if (cpusetLimited)
        {
            oc.TotalPages = m.TotalSwapPages + PresentPages(CurrentMemsAllowed(oc));
            return OomConstraint.Cpuset;
        }
        return OomConstraint.None;
    }

    private Pages PresentPages(NodeMask mask)
    {
        long sum = 0;
        foreach (var node in m.Nodes) if (mask.Contains(node.Id)) sum += node.PresentPages.Value;
        return new Pages(sum);
    }

    /// <summary>The cpuset of the allocating context: <c>task_cs(current)</c>.</summary>
    internal Cpuset CurrentCpuset(OomControl oc) => oc.CurrentCpuset ?? oc.Current?.Cpuset ?? m.RootCpuset;

    /// <summary><c>current-&gt;mems_allowed</c>.</summary>
    internal NodeMask CurrentMemsAllowed(OomControl oc) => CurrentCpuset(oc).Mems;

    /// <summary>
    /// kernel/cgroup/cpuset.c <c>cpuset_node_allowed()</c> as <c>cpuset_zone_allowed()</c> calls it: a node in
    /// current's mems is allowed; otherwise an OOM victim may go anywhere, a hardwall request (__GFP_HARDWALL)
    /// may not, an exiting task may, and the rest may use the nearest hardwall ancestor's nodes.
    /// </summary>
    internal bool CpusetNodeAllowed(OomControl oc, int node)
    {
        if (!m.CpusetsEnabled) return true;
        var cs = CurrentCpuset(oc);
        if (cs.Mems.Contains(node)) return true;
        if (oc.Current is { IsOomVictim: true }) return true;
        if (oc.GfpMask.Has(GfpMask.__GFP_HARDWALL)) return false;
        if (oc.Current is { Exiting: true }) return true;
        return cs.NearestHardwallAncestor().Mems.Contains(node);
    }

    /// <summary>
    /// <c>oom_cpuset_eligible()</c>: under a mempolicy OOM only tasks whose MPOL_BIND nodes meet the nodemask
    /// (<c>mempolicy_in_oom_domain</c>); otherwise only tasks whose cpuset mems meet current's.
    /// </summary>
    public bool OomCpusetEligible(OomTask task, OomControl oc)
    {
        // Without cpusets every task may use every node: nothing to intersect (the common case, kept cheap).
        if (oc.Nodemask is null && !m.CpusetsEnabled) return true;
        if (oc.Nodemask is { } mask)
            return task.MempolicyBind is not { } bind || bind.Intersects(mask);
        return CurrentMemsAllowed(oc).Intersects(task.Cpuset.Mems);
    }

    /// <summary>
    /// mm/memcontrol.c <c>mem_cgroup_get_max()</c>: memory.max plus the swap the cgroup may use — v1: memsw
    /// limit minus memory limit, v2: swap.max — capped at total swap, and only when swappiness is not 0.
    /// </summary>
    public Pages MemCgroupGetMax(MemoryCgroup memcg)
    {
        long max = memcg.MemoryMax.Value;
        int swappiness = m.CgroupVersion == CgroupVersion.V1 && !memcg.IsRoot ? memcg.Swappiness ?? m.VmSwappiness : m.VmSwappiness;
        if (swappiness == 0) return new Pages(max);
        long swap = m.CgroupVersion == CgroupVersion.V1 ? memcg.MemswMax.Value - max : memcg.SwapMax.Value;
        return new Pages(max + Math.Min(swap, m.TotalSwapPages.Value));
    }
}
