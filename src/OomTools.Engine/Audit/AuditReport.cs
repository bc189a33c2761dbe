using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Audit;

/// <summary>
/// An audit of one machine as data, worked out once for any writer: the machine, the OOM's domain, the
/// oom_badness ranking (select_bad_process's view, unkillable processes apart), the kill order
/// (<see cref="OomAudit.KillOrder"/>) and the protection of the critical processes
/// (<see cref="OomProtection.Assess"/>). The HTML page of Export-OomAuditReport is one rendering of it.
/// </summary>
public sealed class AuditReport
{
    private readonly HashSet<int> criticalPids;

    private AuditReport(IReadOnlyList<ProtectionReport> protection)
    {
        Protection = protection;
        // Every process of a critical service is critical, not only the first of them to die.
        criticalPids = new HashSet<int>(protection.SelectMany(p => p.Processes.Count > 0 ? p.Processes.Select(x => x.Pid) : new[] { p.Pid }));
    }

    /// <summary>
    /// Audits <paramref name="machine"/> under <paramref name="options"/>: scores every process in the OOM's
    /// domain, runs the kill order on a copy, and assesses each critical process. The machine is not changed.
    /// </summary>
    public static AuditReport Build(OomMachine machine, AuditReportOptions options)
    {
        if (machine is null) throw new ArgumentNullException(nameof(machine));
        if (options is null) throw new ArgumentNullException(nameof(options));
        if (options.Kills < 1) throw new OomEngineException(OomError.InvalidArgument, $"The number of kills must be at least 1; {options.Kills} is not.", options.Kills);
        if (options.Top < 1) throw new OomEngineException(OomError.InvalidArgument, $"The number of bars must be at least 1; {options.Top} is not.", options.Top);

        var request = options.Request;
        var oc = request.ControlFor(machine);
        var candidates = BadnessRanking.ScoreAll(machine, oc);
        var killable = candidates.Where(c => c.Killable).OrderBy(c => c.Rank).ToList();
        var order = OomAudit.KillOrder(machine, request, options.Kills);
        // One row per critical service: the processes of one name, judged by the first of them to die.
        var protection = options.Critical
            .GroupBy(t => t.Comm, StringComparer.Ordinal)
            .Select(g => OomProtection.AssessService(machine, g.Key, g.ToList(), request, options.Kills))
            .ToList();

        return new AuditReport(protection)
        {
            Title = options.Title ?? $"OOM audit: {machine.Name}",
            Machine = AuditMachine.Of(machine),
            Domain = AuditDomain.Of(oc),
            // The ranking's own totalpages when there is one (a memcg OOM weighs against its limit).
            TotalPages = killable.Count > 0 ? new Pages(killable[0].TotalPages) : oc.TotalPages,
            Ranking = killable.ConvertAll(AuditCandidate.Of),
            NeverChosen = candidates.Where(c => !c.Killable).Select(AuditCandidate.Of).ToList(),
            KillOrder = order,
            Kills = options.Kills,
            Top = options.Top,
            MissingCritical = options.MissingCritical.ToList(),
            GeneratedAt = options.GeneratedAt,
        };
    }

    /// <summary>The report's heading.</summary>
    public string Title { get; private set; } = "";
    /// <summary>The machine audited.</summary>
    public AuditMachine Machine { get; private set; } = null!;
    /// <summary>Where the OOM looks for a victim.</summary>
    public AuditDomain Domain { get; private set; } = null!;
    /// <summary>The pages oom_badness weighs the processes against (totalpages).</summary>
    public Pages TotalPages { get; private set; }
    /// <summary>The processes the OOM can choose, by rank: the first is killed first.</summary>
    public IReadOnlyList<AuditCandidate> Ranking { get; private set; } = Array.Empty<AuditCandidate>();
    /// <summary>The processes the OOM never chooses (init, kernel threads, -1000, ...), in scan order.</summary>
    public IReadOnlyList<AuditCandidate> NeverChosen { get; private set; } = Array.Empty<AuditCandidate>();
    /// <summary>OOM after OOM on a copy of the machine: at most <see cref="Kills"/> steps.</summary>
    public IReadOnlyList<KillOrderStep> KillOrder { get; private set; } = Array.Empty<KillOrderStep>();
    /// <summary>Kills in the kill order, and kills each critical process must survive.</summary>
    public int Kills { get; private set; }
    /// <summary>How many of the <see cref="Ranking"/> a chart draws (the most points first).</summary>
    public int Top { get; private set; }
    /// <summary>One assessment per critical process, in the order given.</summary>
    public IReadOnlyList<ProtectionReport> Protection { get; }
    /// <summary>Critical names that matched no process.</summary>
    public IReadOnlyList<string> MissingCritical { get; private set; } = Array.Empty<string>();
    /// <summary>When the report was made, if said.</summary>
    public DateTimeOffset? GeneratedAt { get; private set; }

    /// <summary>Critical processes were named: the report assesses their protection.</summary>
    public bool AssessesProtection => Protection.Count > 0 || MissingCritical.Count > 0;

    /// <summary>The critical processes that survive the first <see cref="Kills"/> kills.</summary>
    public int ProtectedCount => Protection.Count(p => p.Protected);

    /// <summary>The process is one of the critical ones.</summary>
    public bool IsCritical(int pid) => criticalPids.Contains(pid);
}
