using System.Collections.Generic;
using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

/// <summary>
/// What one out_of_memory call decided and did: the constraint and totalpages, the victim and its points,
/// every process signalled, whether the scan aborted or the machine panicked, the kernel's return value,
/// the ranked candidates and the log lines the call printed. (A replay of a report adds its comparison with
/// the kernel's choice: Reports/ReplayOutcome.)
/// </summary>
public class OomOutcome
{
    internal OomOutcome(OomMachine machine, OomControl oc, OutOfMemoryResult result, IReadOnlyList<KernelLogEntry> log)
    {
        Machine = machine;
        Constraint = oc.Constraint;
        TotalPages = oc.TotalPages;
        Victim = oc.Chosen;
        VictimPoints = oc.Chosen is null || oc.ChoseAllocatingTask ? null : oc.ChosenPoints;
        Killed = result.Killed;
        MmSharersKilled = result.MmSharersKilled;
        AllKilled = result.AllKilled;
        Aborted = oc.Aborted;
        AbortedBy = oc.AbortedBy;
        Panic = machine.PanicMessage;
        Result = result.Result;
        recorded = oc.Candidates;
        Log = log;
        Memcg = oc.Memcg;
        Current = oc.Current;
        GfpMask = oc.GfpMask;
        Order = oc.Order;
        Reason = Explain(oc, result.EarlyReturn);
        At = machine.Now;
        Hz = machine.Hz;
        MemoryInUsePages = machine.MemoryInUse().Value;
    }

    /// <summary>A copy of <paramref name="other"/>, for an outcome that adds to it.</summary>
    private protected OomOutcome(OomOutcome other)
    {
        if (other is null) throw new System.ArgumentNullException(nameof(other));
        Machine = other.Machine;
        Constraint = other.Constraint;
        TotalPages = other.TotalPages;
        Victim = other.Victim;
        VictimPoints = other.VictimPoints;
        Killed = other.Killed;
        MmSharersKilled = other.MmSharersKilled;
        AllKilled = other.AllKilled;
        Aborted = other.Aborted;
        AbortedBy = other.AbortedBy;
        Panic = other.Panic;
        Result = other.Result;
        recorded = other.recorded;
        Log = other.Log;
        Memcg = other.Memcg;
        Current = other.Current;
        GfpMask = other.GfpMask;
        Order = other.Order;
        Reason = other.Reason;
        At = other.At;
        Hz = other.Hz;
        MemoryInUsePages = other.MemoryInUsePages;
    }

    /// <summary>The machine's jiffies when the call returned.</summary>
    public Jiffies At { get; }
    /// <summary><see cref="At"/> as a bare count (what PowerShell shows).</summary>
    public long Jiffies => At.Value;
    // CONFIG_HZ when the call returned (the machine's may be changed later), to turn Jiffies into seconds.
    internal int Hz { get; }
    /// <summary>The machine's anonymous + shmem pages in use when the call returned.</summary>
    public long MemoryInUsePages { get; }

    /// <summary>The machine the call ran on.</summary>
    public OomMachine Machine { get; }
    /// <summary>What limited the allocation (constrained_alloc).</summary>
    public OomConstraint Constraint { get; }
    /// <summary>The pages the points are measured against (oc-&gt;totalpages).</summary>
    public Pages TotalPages { get; }
    /// <summary>The task out_of_memory chose (oc-&gt;chosen); null when none was.</summary>
    public OomTask? Victim { get; }
    /// <summary>The victim's oom_badness; null when none was scored (no victim, or oom_kill_allocating_task).</summary>
    public long? VictimPoints { get; }
    /// <summary>
    /// The processes the kernel names in a <c>Killed process</c> line, in order (a report's <c>KilledPids</c>): the
    /// victim, and every member of an oom.group.
    /// </summary>
    public IReadOnlyList<OomTask> Killed { get; }
    /// <summary>Processes sharing a victim's mm (vfork children, CLONE_VM sharers), killed with it without a line of their own.</summary>
    public IReadOnlyList<OomTask> MmSharersKilled { get; }
    /// <summary>Every process that received the OOM killer's SIGKILL, in order: <see cref="Killed"/> and <see cref="MmSharersKilled"/>.</summary>
    public IReadOnlyList<OomTask> AllKilled { get; }
    /// <summary>The scan stopped at an earlier victim that is still exiting.</summary>
    public bool Aborted { get; }
    /// <summary>The earlier victim the scan stopped at, when it was aborted.</summary>
    public OomTask? AbortedBy { get; }
    /// <summary>The panic message when the call panicked the machine.</summary>
    public string? Panic { get; }
    /// <summary>out_of_memory's return value.</summary>
    public bool Result { get; }
    // The scan's candidates as recorded (null when none were): the objects are made when Candidates is first read.
    private readonly CandidateLog? recorded;
    private List<OomCandidate>? none;

    /// <summary>Every task the scan weighed, ranked (empty unless the control asked to record them).</summary>
    public IReadOnlyList<OomCandidate> Candidates =>
        recorded?.Objects ?? System.Threading.LazyInitializer.EnsureInitialized(ref none, () => new List<OomCandidate>())!;
    /// <summary>The log lines the call printed.</summary>
    public IReadOnlyList<KernelLogEntry> Log { get; }
    /// <summary>The memory cgroup of a memcg OOM; null for a global one.</summary>
    public MemoryCgroup? Memcg { get; }
    /// <summary>The allocating task; null for a kernel worker.</summary>
    public OomTask? Current { get; }
    /// <summary>The allocation's gfp mask.</summary>
    public GfpMask GfpMask { get; }
    /// <summary>The allocation order; -1 for SysRq-f.</summary>
    public int Order { get; }
    /// <summary>One sentence on why the call ended as it did.</summary>
    public string Reason { get; }

    private string Explain(OomControl oc, string? earlyReturn)
    {
        if (Panic is not null) return "Kernel panic: " + Panic;
        if (earlyReturn is not null) return char.ToUpperInvariant(earlyReturn[0]) + earlyReturn.Substring(1) + ".";
        if (oc.Aborted) return $"Aborted: earlier OOM victim {oc.AbortedBy} is still exiting (no MMF_OOM_SKIP yet), so nothing new is killed.";
        if (oc.Chosen is { } a && oc.ChoseAllocatingTask)
            return $"Killed the allocating task {a}: vm.oom_kill_allocating_task is set, so nothing was scored.";
        if (oc.Chosen is { } v)
            return oc.ChosenPoints == long.MaxValue
                ? $"Killed {v}: it is an OOM-origin task (swapoff/KSM), chosen first."
                : $"Killed {v} with {oc.ChosenPoints} points of {oc.TotalPages} pages.";
        return "No killable process was found.";
    }

    /// <summary>The <see cref="Reason"/>.</summary>
    public override string ToString() => Reason;
}
