using System;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Reports;

/// <summary>
/// Replays a report's event on a machine rebuilt from it, under the same constraint and allocation, and
/// compares the decision with the kernel's.
/// </summary>
public static class ReportReplay
{
    /// <summary>The oom_control the kernel had: memcg, gfp mask, order, nodemask (mempolicy OOMs) and current.</summary>
    public static OomControl ControlFor(OomReport report, OomMachine machine)
    {
        var oc = new OomControl
        {
            Order = report.Order,
            GfpMask = MaskFor(report),
            Current = report.TriggerPid is { } pid ? machine.FindTask(pid) : null,
            CurrentComm = report.TriggerName,
            CurrentOomScoreAdj = report.TriggerOomScoreAdj ?? 0,
        };
        if (report.Cpuset is { Length: > 0 } cs && cs != "/" && machine.FindCpuset("/" + cs) is { } cpuset) oc.CurrentCpuset = cpuset;
        if (report.Constraint == OomConstraint.Memcg && report.OomMemcg is { } path) oc.Memcg = machine.FindCgroup(path);
        if (report.Constraint == OomConstraint.MemoryPolicy && report.Nodemask is { } nm)
        {
            try { oc.Nodemask = NodeMask.Parse(nm); } catch (FormatException) { }
        }
        return oc;
    }

    /// <summary>
    /// The allocation's gfp mask in today's bit layout. A report that printed flag names uses it; an older one
    /// (its own bit layout) keeps only __GFP_IO and __GFP_FS, the bits that never moved and that out_of_memory reads.
    /// </summary>
    private static GfpMask MaskFor(OomReport report)
    {
        if (report.GfpMaskValue is not { } g) return GfpMask.Kernel;
        return report.GfpFlags is not null ? new GfpMask(g) : new GfpMask(g & (GfpMask.__GFP_IO | GfpMask.__GFP_FS));
    }

    /// <summary>
    /// <see cref="Replay(OomReport, OomMachine)"/> with what a user changed: <paramref name="adjust"/> edits the
    /// report's oom_control (another memcg, gfp mask, current) and <paramref name="scoring"/>, when given, scores
    /// with another kernel's rules for this replay only (the machine keeps its own afterwards).
    /// </summary>
    public static ReplayOutcome Replay(OomReport report, OomMachine machine, Action<OomControl>? adjust, Kernels.KernelRules? scoring = null)
    {
        var own = machine.Scoring;
        if (scoring is not null) machine.Scoring = scoring;
        try
        {
            var oc = ControlFor(report, machine);
            adjust?.Invoke(oc);
            oc.RecordCandidates = true;
            return Compare(machine.Killer.Invoke(oc), report);
        }
        finally { machine.Scoring = own; }
    }

    /// <summary>Runs out_of_memory for the report on <paramref name="machine"/> and compares with the kernel.</summary>
    public static ReplayOutcome Replay(OomReport report, OomMachine machine)
    {
        var oc = ControlFor(report, machine);
        oc.RecordCandidates = true;
        return Compare(machine.Killer.Invoke(oc), report);
    }

    /// <summary>The outcome with its agreement with the kernel's choice in the report, and why when they differ.</summary>
    public static ReplayOutcome Compare(OomOutcome replayed, OomReport report)
    {
        var outcome = new ReplayOutcome(replayed, report)
        {
            KernelChoice = report.SelectedPid,
            KernelChoiceTid = report.SelectedTid,
            VictimTid = replayed.Victim is { } v && OomKiller.FindLockTaskMm(v) is var tid && tid >= 0 ? tid : null,
        };
        if (report.SelectedPid is not { } kernel)
        {
            // "Out of memory and no killable processes...": the replay agrees when it finds none either.
            if (report.NoKillableProcesses) outcome.AgreesWithKernel = outcome.Victim is null && outcome.Killed.Count == 0;
            return outcome;
        }
        int? ours = outcome.Victim?.Pid;
        outcome.AgreesWithKernel = ours == kernel;
        outcome.AgreedBeforeInference = report.AgreedBeforeInference ?? outcome.AgreesWithKernel;
        if (ours == kernel) return outcome;

        var k = outcome.Candidates.FirstOrDefault(c => c.Pid == kernel);
        string kernelSide = k is null ? $"pid {kernel} is not in the replayed task table"
            : k.Points is { } kp ? $"the replay scores it {kp} points (rank {k.Rank})" : $"the replay passes it over ({k.Reason})";
        string ourSide = ours is null ? outcome.Reason : $"the replay chose {outcome.Victim} with {outcome.VictimPoints} points";
        outcome.Disagreement = $"The kernel chose {kernel} ({report.SelectedName}); {kernelSide}; {ourSide} under {outcome.Machine.Scoring}.";
        return outcome;
    }
}
