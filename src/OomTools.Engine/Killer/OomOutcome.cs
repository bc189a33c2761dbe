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
        Aborted = oc.Aborted;
        AbortedBy = oc.AbortedBy;
        Panic = machine.PanicMessage;
        Result = result.Result;
        Candidates = (IReadOnlyList<OomCandidate>?)oc.Candidates ?? new List<OomCandidate>();
        Log = log;
        Memcg = oc.Memcg;
        Current = oc.Current;
        GfpMask = oc.GfpMask;
        Order = oc.Order;
        Reason = Explain(oc, result.EarlyReturn);
        Jiffies = machine.Jiffies;
        Hz = machine.Hz;
        MemoryInUsePages = machine.MemoryInUse();
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
        Aborted = other.Aborted;
        AbortedBy = other.AbortedBy;
        Panic = other.Panic;
        Result = other.Result;
        Candidates = other.Candidates;
        Log = other.Log;
        Memcg = other.Memcg;
        Current = other.Current;
        GfpMask = other.GfpMask;
        Order = other.Order;
        Reason = other.Reason;
        Jiffies = other.Jiffies;
        Hz = other.Hz;
        MemoryInUsePages = other.MemoryInUsePages;
    }

    /// <summary>The machine's jiffies when the call returned.</summary>
    public long Jiffies { get; }
    // CONFIG_HZ when the call returned (the machine's may be changed later), to turn Jiffies into seconds.
    internal int Hz { get; }
    /// <summary>The machine's anonymous + shmem pages in use when the call returned.</summary>
    public long MemoryInUsePages { get; }

    public OomMachine Machine { get; }
    public OomConstraint Constraint { get; }
    public Pages TotalPages { get; }
    /// <summary>The task out_of_memory chose (oc-&gt;chosen); null when none was.</summary>
    public OomTask? Victim { get; }
    public long? VictimPoints { get; }
    /// <summary>Every process that received the OOM killer's SIGKILL, in order.</summary>
    public IReadOnlyList<OomTask> Killed { get; }
    /// <summary>The scan stopped at an earlier victim that is still exiting.</summary>
    public bool Aborted { get; }
    public OomTask? AbortedBy { get; }
    /// <summary>The panic message when the call panicked the machine.</summary>
    public string? Panic { get; }
    /// <summary>out_of_memory's return value.</summary>
    public bool Result { get; }
    public IReadOnlyList<OomCandidate> Candidates { get; }
    public IReadOnlyList<KernelLogEntry> Log { get; }
    public MemoryCgroup? Memcg { get; }
    public OomTask? Current { get; }
    public GfpMask GfpMask { get; }
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

    public override string ToString() => Reason;
}
