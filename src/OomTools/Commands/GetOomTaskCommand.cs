using System.Management.Automation;
using OomTools.Engine.Model;

namespace OomTools.Commands;

/// <summary>Get-OomTask: a machine's processes in task-list order, optionally by pid, name (wildcards) or memory cgroup.</summary>
[Cmdlet(VerbsCommon.Get, "OomTask")]
[OutputType(typeof(OomTask))]
public sealed class GetOomTaskCommand : OomCmdlet
{
    /// <summary>The machine whose processes to get; it can come from the pipeline.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>Only the processes with these pids; a pid that matches nothing is a TaskNotFound error.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    public int[]? Pid { get; set; }

    /// <summary>
    /// Only processes whose comm matches one of these names (wildcards allowed, case ignored; comm keeps 15
    /// characters).
    /// </summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.TaskNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only processes in this memory cgroup or below it.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.CgroupPathCompleter))]
    public string? Cgroup { get; set; }

    /// <summary>Writes the processes of each piped machine that match every filter given, in task-list order.</summary>
    protected override void ProcessRecord() => Try(() =>
    {
        // The list is taken under the machine's lock (tasklist_lock) and written after it.
        var notFound = new System.Collections.Generic.List<Engine.OomEngineException>();
        var tasks = Locked(Machine, () => TaskFilter.Select(Machine, Pid, Name, Cgroup, notFound.Add));
        foreach (var e in notFound) WriteError(ToErrorRecord(e));
        foreach (var t in tasks) WriteObject(t);
    }, Machine = ResolveMachine(Machine));
}
