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
    /// <summary>Whether the replay chose as the kernel did (null when the report names no victim).</summary>
    public bool? AgreesWithKernel { get; internal set; }
    /// <summary>Why the replay and the kernel differ, when they do.</summary>
    public string? Disagreement { get; internal set; }
}
