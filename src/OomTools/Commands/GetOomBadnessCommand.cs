using System.Linq;
using System.Management.Automation;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Commands;

/// <summary>
/// Get-OomBadness: every process of an OOM domain scored as oom_badness scores it, with the parts of the
/// score, the /proc/PID/oom_score value, and the rank (1 is the process the kernel would kill), or why it is
/// never chosen. Killable processes come first, by rank.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OomBadness")]
[OutputType(typeof(OomCandidate))]
public sealed class GetOomBadnessCommand : OomDomainCmdlet
{
    /// <summary>The machine whose processes to score; it can come from the pipeline.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>Only these pids (the ranks stay those of the whole domain); a pid not on the machine is TaskNotFound.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    public int[]? Pid { get; set; }

    /// <summary>Only names matching these wildcards.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.TaskNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>
    /// Scores the OOM domain of each piped machine and writes the candidates -Pid and -Name let through, killable ones
    /// first by rank.
    /// </summary>
    protected override void ProcessRecord() => Try(() =>
    {
        var patterns = Name is null ? null : TaskFilter.Patterns(Name);
        // Scored under the machine's lock (a reader walking the task list), written after it.
        var ranked = Locked(Machine, () =>
        {
            var oc = Request(Machine).ControlFor(Machine);
            if (Pid is null) return Engine.Audit.BadnessRanking.Ranked(Machine, oc);
            // Only the tasks asked for are scored; their ranks are counted, not sorted out of every task's.
            var asked = new System.Collections.Generic.List<OomTask>(Pid.Length);
            foreach (var pid in Pid) asked.Add(Machine.GetTask(pid));
            return Engine.Audit.BadnessRanking.RankedOnly(Machine, oc, asked);
        });
        foreach (var c in ranked)
        {
            if (Pid is not null && !Pid.Contains(c.Pid)) continue;
            if (patterns is not null && !patterns.Any(p => p.IsMatch(c.Name))) continue;
            WriteObject(c);
        }
    }, Machine = ResolveMachine(Machine));
}
