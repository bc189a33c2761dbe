using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

/// <summary>
/// <c>struct oom_control</c>: the request (memcg, nodemask, gfp mask, order, the allocating task) and what
/// out_of_memory works out (totalpages, the chosen task and its points, the constraint).
/// </summary>
public sealed class OomControl
{
    /// <summary>A control with every field at its default (see <see cref="Clear"/>, which holds them).</summary>
    public OomControl() => Clear();

    /// <summary>The memory cgroup whose limit was hit; null for a global OOM.</summary>
    public MemoryCgroup? Memcg { get; set; }
    /// <summary>The allocation's nodemask (a mempolicy); null for none.</summary>
    public NodeMask? Nodemask { get; set; }
    /// <summary><c>oc-&gt;gfp_mask</c>: the failed allocation's gfp flags (GFP_KERNEL unless set), printed by dump_header with <c>%pGg</c>.</summary>
    public GfpMask GfpMask { get; set; }
    /// <summary>Allocation order; -1 means SysRq-f.</summary>
    public int Order { get; set; }
    /// <summary>The allocating task (<c>current</c>); null for a kernel worker (as with SysRq-f).</summary>
    public OomTask? Current { get; set; }
    /// <summary>Comm and oom_score_adj of the allocating context when it is no task of the machine (a report's trigger).</summary>
    public string? CurrentComm { get; set; }
    /// <summary>The allocating context's oom_score_adj for dump_header's invoked line when it is no task of the machine (see <see cref="CurrentComm"/>).</summary>
    public int CurrentOomScoreAdj { get; set; }
    /// <summary>The allocating context's cpuset; null uses current's (the root cpuset for a kernel worker).</summary>
    public Cpuset? CurrentCpuset { get; set; }
    /// <summary>The page allocator passed a zonelist (it always does; only then are cpusets checked).</summary>
    public bool HasZonelist { get; set; }
    /// <summary>Keep every evaluated task with its points or reason (off for raw speed).</summary>
    public bool RecordCandidates { get; set; }

    /// <summary><c>oc-&gt;totalpages</c>, set by constrained_alloc: RAM + swap, the memcg's limit, or the allowed nodes' present pages plus swap; the unit oom_badness scales oom_score_adj by.</summary>
    public Pages TotalPages { get; internal set; }
    /// <summary><c>oc-&gt;chosen</c>: the task select_bad_process (or vm.oom_kill_allocating_task) picked; null when none was found or the scan was <see cref="Aborted"/>.</summary>
    public OomTask? Chosen { get; internal set; }
    /// <summary><c>oc-&gt;chosen == (void *)-1UL</c>: the scan was aborted because a victim is still exiting.</summary>
    public bool Aborted { get; internal set; }
    /// <summary><c>oc-&gt;chosen_points</c>: the chosen task's oom_badness, in pages (LONG_MIN before any task is scored).</summary>
    public long ChosenPoints { get; internal set; }
    /// <summary><c>oc-&gt;constraint</c>, as constrained_alloc decided it: what limited the allocation.</summary>
    public OomConstraint Constraint { get; internal set; }
    /// <summary>vm.oom_kill_allocating_task chose current without scoring anyone.</summary>
    public bool ChoseAllocatingTask { get; internal set; }

    internal CandidateLog? Candidates;
    internal OomTask? AbortedBy;

    /// <summary>
    /// Every field at a new control's value: GFP_KERNEL, a zonelist, nothing chosen. The defaults live here alone;
    /// the constructor and a kill order, which fills one control again for each OOM, both start from them.
    /// </summary>
    internal void Clear()
    {
        Memcg = null;
        Nodemask = null;
        GfpMask = GfpMask.Kernel;
        Order = 0;
        Current = null;
        CurrentComm = null;
        CurrentOomScoreAdj = 0;
        CurrentCpuset = null;
        HasZonelist = true;
        RecordCandidates = false;
        TotalPages = default;
        Chosen = null;
        Aborted = false;
        ChosenPoints = 0;
        Constraint = default;
        ChoseAllocatingTask = false;
        Candidates = null;
        AbortedBy = null;
    }

    /// <summary><c>is_memcg_oom()</c>: the OOM is a memory cgroup's (<see cref="Memcg"/> is set).</summary>
    public bool IsMemcgOom => Memcg is not null;
    /// <summary><c>is_sysrq_oom()</c>.</summary>
    public bool IsSysrqOom => Order == -1;
}
