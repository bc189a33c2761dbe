using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Audit;
using OomTools.Engine.Model;

namespace OomTools.Commands;

/// <summary>
/// Test-OomProtection: for each critical process, its rank, its margin in pages to the process above it, who
/// dies before it, whether it survives the first -Kills OOM kills, and the highest oom_score_adj that still keeps
/// it out of them. Results a runbook can assert on.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "OomProtection")]
[OutputType(typeof(ProtectionReport))]
public sealed class TestOomProtectionCommand : OomDomainCmdlet
{
    /// <summary>The machine; it can come from the pipeline by the property name Machine.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>The critical processes, by name (wildcards allowed).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.TaskNameCompleter))]
    public string[] Name { get; set; } = null!;

    /// <summary>It must survive this many OOM kills.</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int Kills { get; set; } = 1;

    /// <summary>Writes one ProtectionReport per critical process of each machine, in task-list order.</summary>
    protected override void ProcessRecord() => Try(() =>
    {
        var request = Locked(Machine, () => Request(Machine));
        var notFound = new System.Collections.Generic.List<Engine.OomEngineException>();
        var tasks = Locked(Machine, () => TaskFilter.Select(Machine, null, Name, Cgroup, notFound.Add));
        foreach (var e in notFound) WriteError(ToErrorRecord(e));
        int i = 0;
        foreach (var task in tasks)
        {
            WriteProgress(new ProgressRecord(1, "Test-OomProtection", $"{task}") { PercentComplete = 100 * i++ / System.Math.Max(1, tasks.Count) });
            WriteObject(Locked(Machine, () => OomProtection.Assess(Machine, task, request, Kills)));
        }
        WriteProgress(new ProgressRecord(1, "Test-OomProtection", "done") { RecordType = ProgressRecordType.Completed });
    }, Machine = ResolveMachine(Machine));
}
