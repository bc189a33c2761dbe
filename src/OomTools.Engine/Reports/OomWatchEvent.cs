using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Exit;
using OomTools.Engine.Killer;

namespace OomTools.Engine.Reports;

/// <summary>
/// One OOM kill seen in a live kernel log, replayed at once: the kernel's victim, the model's, whether they agree,
/// the ranking of the candidates, and whom the next OOM of the same kind would kill once the victim has exited.
/// </summary>
public sealed class OomWatchEvent
{
    /// <summary>When the event's report was complete on this host (local time).</summary>
    public DateTime ReceivedAt { get; private set; }
    /// <summary>The report, as Import-OomReport gives it.</summary>
    public OomReport Report { get; private set; } = null!;
    /// <summary>The replay on the machine rebuilt from the report; null when the report cannot be replayed.</summary>
    public ReplayOutcome? Replay { get; private set; }
    /// <summary>The pid the kernel chose (its <c>Killed process</c> line).</summary>
    public int? KernelVictim => Report.SelectedPid ?? (Report.KilledPids.Count > 0 ? Report.KilledPids[0] : null);
    /// <summary>The comm of the process the kernel chose.</summary>
    public string? KernelVictimName => Report.SelectedName;
    /// <summary>The pid the model chose (select_bad_process on the rebuilt machine).</summary>
    public int? ModelVictim => Replay?.Victim?.Pid;
    /// <summary>Whether the model chose the kernel's victim; null when it could not be replayed.</summary>
    public bool? Agrees => Replay?.AgreesWithKernel;
    /// <summary>Every candidate oom_badness ranked, in the replay's order.</summary>
    public IReadOnlyList<OomCandidate> Ranking => Replay?.Candidates ?? Array.Empty<OomCandidate>();
    /// <summary>The pid the next OOM under the same constraint would kill once the kernel's victims have exited.</summary>
    public int? NextVictim { get; private set; }
    /// <summary>The comm of <see cref="NextVictim"/>.</summary>
    public string? NextVictimName { get; private set; }
    /// <summary>Why the event was not replayed, or null.</summary>
    public string? NotReplayedReason { get; private set; }

    /// <summary>
    /// Replays <paramref name="report"/> (ReportReplay.Replay) on a copy of its
    /// machine and runs out_of_memory once more on another copy from which the kernel's victims have exited
    /// (do_exit), to name who would die next. The report's own machine is not changed.
    /// </summary>
    public static OomWatchEvent From(OomReport report, DateTime receivedAt)
    {
        var ev = new OomWatchEvent { Report = report, ReceivedAt = receivedAt };
        if (!report.Replayable || report.Machine is not { } machine)
        {
            ev.NotReplayedReason = report.NotReplayableReason ?? "the report has no machine";
            return ev;
        }
        ev.Replay = ReportReplay.Replay(report, machine.Clone());
        var next = machine.Clone();
        next.OomDumpTasks = false;
        var exit = next.Exit;
        foreach (var pid in report.KilledPids.Concat(report.KilledTids))
            if (next.FindTask(pid) is { } t) exit.DoExit(t);
        var oc = ReportReplay.ControlFor(report, next);
        var result = next.Killer.OutOfMemory(oc);
        if (result.Result && oc.Chosen is { } chosen && next.PanicMessage is null)
        {
            ev.NextVictim = chosen.Pid;
            ev.NextVictimName = chosen.Comm;
        }
        return ev;
    }

    /// <summary>"kernel killed PID (name); model agrees|chose PID; next PID (name)".</summary>
    public override string ToString() =>
        $"kernel killed {KernelVictim} ({KernelVictimName}); " +
        (Agrees is null ? "not replayed" : Agrees == true ? "model agrees" : $"model chose {ModelVictim}") +
        (NextVictim is null ? "" : $"; next {NextVictim} ({NextVictimName})");
}
