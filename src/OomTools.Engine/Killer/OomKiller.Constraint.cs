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
            var max = memCgroups.MemCgroupGetMax(memcg).Value;
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
        // Over the mask's bits rather than its Nodes iterator: every OOM of a kill order comes here.
        for (int nid = 0; nid < NodeMask.MaxNodes; nid++)
            if (zonelistNodes.Contains(nid) && !CpusetNodeAllowed(oc, nid)) cpusetLimited = true;
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
    /// <c>cpuset_zone_allowed()</c> for the allocating context: every node when cpusets are not in use, otherwise
    /// kernel/cgroup/cpuset.c's rule (<see cref="Cpuset.NodeAllowed"/>) for current's cpuset.
    /// </summary>
    internal bool CpusetNodeAllowed(OomControl oc, int node) =>
        !m.CpusetsEnabled || CurrentCpuset(oc).NodeAllowed(node, oc.GfpMask, oc.Current);

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
}
