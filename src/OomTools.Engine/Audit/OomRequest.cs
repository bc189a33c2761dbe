using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Audit;

/// <summary>
/// The allocation an audit replays, by names rather than objects, so it can be applied to copies of a machine:
/// the memcg path, nodemask, cpuset path, gfp mask, order and the allocating pid.
/// </summary>
public sealed class OomRequest
{
    /// <summary>The path of the memory cgroup whose limit is hit (<c>oc->memcg</c>); null for a global OOM.</summary>
    public string? Cgroup { get; set; }
    /// <summary>
    /// The nodes of the allocation's MPOL_BIND mempolicy (<c>oc->nodemask</c>); null when no mempolicy constrains it.
    /// </summary>
    public NodeMask? Nodemask { get; set; }
    /// <summary>
    /// The path of the cpuset the allocation comes from; null takes the allocating task's own (the root cpuset for a
    /// kernel worker).
    /// </summary>
    public string? Cpuset { get; set; }
    /// <summary>
    /// The allocation's gfp mask (<c>oc->gfp_mask</c>); null is GFP_KERNEL for a memcg or SysRq OOM and
    /// GFP_HIGHUSER_MOVABLE (a user page fault) otherwise.
    /// </summary>
    public GfpMask? GfpMask { get; set; }
    /// <summary>The allocation order (<c>oc->order</c>, 2^order pages); -1 is a SysRq-f OOM.</summary>
    public int Order { get; set; }
    /// <summary>
    /// The pid of the allocating task (<c>current</c>); null, or a pid no longer on the machine, is a kernel worker
    /// with no task of its own.
    /// </summary>
    public int? CurrentPid { get; set; }

    /// <summary>An oom_control for <paramref name="machine"/>; a current that has died is a kernel worker.</summary>
    public OomControl ControlFor(OomMachine machine) => Fill(new OomControl(), machine);

    /// <summary>
    /// <see cref="ControlFor(OomMachine)"/> made again in <paramref name="reuse"/> for the next OOM of a kill order:
    /// cleared to a new control's values and filled afresh (the allocating task may have been killed, and
    /// out_of_memory drops the nodemask of an OOM it finds unconstrained). One control for a run of hundreds of OOMs.
    /// </summary>
    internal OomControl ControlFor(OomMachine machine, OomControl reuse)
    {
        reuse.Clear();
        return Fill(reuse, machine);
    }

    private OomControl Fill(OomControl oc, OomMachine machine)
    {
        var memcg = Cgroup is null ? null : machine.GetCgroup(Cgroup);
        oc.Memcg = memcg;
        oc.Nodemask = Nodemask;
        oc.CurrentCpuset = Cpuset is null ? null : machine.GetCpuset(Cpuset);
        oc.GfpMask = GfpMask ?? (memcg is not null || Order == -1 ? Units.GfpMask.Kernel : Units.GfpMask.HighUserMovable);
        oc.Order = Order;
        oc.Current = CurrentPid is { } pid ? machine.FindTask(pid) : null;
        return oc;
    }
}
