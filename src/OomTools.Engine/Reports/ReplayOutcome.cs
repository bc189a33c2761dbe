using OomTools.Engine.Killer;

namespace OomTools.Engine.Reports;

/// <summary>An OOM replayed from a report: the outcome, the report, and how the replay's choice compares with the kernel's.</summary>
public sealed class ReplayOutcome : OomOutcome
{
    internal ReplayOutcome(OomOutcome outcome, OomReport report) : base(outcome) => Report = report;

    /// <summary>The report this outcome replays.</summary>
    public OomReport Report { get; }
    /// <summary>The pid the kernel chose in that report.</summary>
    public int? KernelChoice { get; internal set; }
    /// <summary>
    /// Whether the replay chose as the kernel did; for a report where the kernel found no killable process, whether
    /// the replay found none either; null when the report does not say what the kernel chose.
    /// </summary>
    public bool? AgreesWithKernel { get; internal set; }
    /// <summary>Why the replay and the kernel differ, when they do.</summary>
    public string? Disagreement { get; internal set; }
    /// <summary>The thread the kernel reached its choice through (<see cref="OomReport.SelectedTid"/>).</summary>
    public int? KernelChoiceTid { get; internal set; }
    /// <summary>
    /// The thread the replay reached its victim through (<c>find_lock_task_mm</c>), the id its <c>Killed process</c>
    /// line prints; null when there is no victim or it no longer holds an mm.
    /// </summary>
    public int? VictimTid { get; internal set; }
    /// <summary>
    /// Whether the report's machine as first rebuilt, before any hidden state was inferred, replayed to the
    /// kernel's choice (<see cref="OomReport.AgreedBeforeInference"/>); null when the report names no choice.
    /// </summary>
    public bool? AgreedBeforeInference { get; internal set; }
    /// <summary>What the rebuild inferred to agree with the kernel (<see cref="OomReport.Inferred"/>); empty when nothing.</summary>
    public System.Collections.Generic.IReadOnlyList<string> Inferred => Report.Inferred;
}
