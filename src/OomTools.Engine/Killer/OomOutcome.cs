using System.Collections.Generic;
using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

/// <summary>
/// What one out_of_memory call decided and did: the constraint and totalpages, the victim and its points,
/// every process signalled, whether the scan aborted or the machine panicked, the kernel's return value,
/// the ranked candidates and the log lines the call printed.
/// </summary>
public sealed class OomOutcome
{
    internal OomOutcome(OomMachine machine, OomControl oc, bool result, List<OomTask> killed,
        IReadOnlyList<KernelLogEntry> log, string? earlyReturn)
    {
        Machine = machine;
        Constraint = oc.Constraint;
        TotalPages = oc.TotalPages;
        Victim = oc.Chosen;
        VictimPoints = oc.Chosen is null || oc.ChoseAllocatingTask ? null : oc.ChosenPoints;
        Killed = killed;
        Aborted = oc.Aborted;
        AbortedBy = oc.AbortedBy;
        Panic = machine.PanicMessage;
        Result = result;
        Candidates = (IReadOnlyList<OomCandidate>?)oc.Candidates ?? new List<OomCandidate>();
        Log = log;
        Memcg = oc.Memcg;
        Current = oc.Current;
        GfpMask = oc.GfpMask;
        Order = oc.Order;
        Reason = Explain(oc, earlyReturn);
        jiffies = machine.Jiffies;
        hz = machine.Hz;
        pageSize = machine.PageSize;
        memoryInUse = machine.Killer.Used();
    }

    // The clock and the memory in use when the call returned, for ToTimelineEvent.
    private readonly long jiffies, memoryInUse;
    private readonly int hz, pageSize;

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
    /// <summary>The report this outcome replays, if any.</summary>
    public Reports.OomReport? Report { get; internal set; }
    /// <summary>The pid the kernel chose in that report.</summary>
    public int? KernelChoice { get; internal set; }
    /// <summary>Whether the replay chose as the kernel did (null without a report).</summary>
    public bool? AgreesWithKernel { get; internal set; }
    /// <summary>Why the replay and the kernel differ, when they do.</summary>
    public string? Disagreement { get; internal set; }

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

    /// <summary>
    /// This OOM as a timeline event of kind <see cref="Time.TimelineEventKind.OutOfMemory"/>, at the time it ran and
    /// with the memory in use when it returned, as Invoke-OomAllocation records its OOMs: so an OOM run on its own
    /// (Invoke-OutOfMemory) can be charted with the events of Step-OomTime and Invoke-OomAllocation.
    /// </summary>
    public Time.TimelineEvent ToTimelineEvent()
    {
        string domain = Constraint switch
        {
            OomConstraint.Memcg => $"memcg {Memcg?.Path} OOM: ",
            OomConstraint.Cpuset => "cpuset OOM: ",
            OomConstraint.MemoryPolicy => "mempolicy OOM: ",
            _ => "global OOM: ",
        };
        return new Time.TimelineEvent(jiffies, hz, pageSize, Time.TimelineEventKind.OutOfMemory, Current?.Pid ?? 0,
            Current?.Comm ?? OomKiller.KernelWorkerComm, 0, domain + Reason, memoryInUse) { Outcome = this };
    }

    public override string ToString() => Reason;
}
