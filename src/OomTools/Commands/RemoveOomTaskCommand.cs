using System.Collections.Generic;
using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Exit;
using OomTools.Engine.Model;

namespace OomTools.Commands;

/// <summary>
/// Remove-OomTask: the process exits — its mm users drop (the last one sets MMF_OOM_SKIP, as exit_mmap
/// does), an OOM victim leaves oom_victims, and it leaves the task list. This is how a victim finishes dying.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "OomTask", SupportsShouldProcess = true, DefaultParameterSetName = FilterSet)]
[OutputType(typeof(OomTask))]
public sealed class RemoveOomTaskCommand : OomCmdlet
{
    private const string FilterSet = "Filter", ByObjectSet = "ByObject";

    /// <summary>The machine the processes are on.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>Remove the processes with these pids.</summary>
    [Parameter(ParameterSetName = FilterSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    public int[]? Pid { get; set; }

    /// <summary>Remove the processes whose comm matches one of these names (wildcards allowed, case ignored).</summary>
    [Parameter(ParameterSetName = FilterSet, Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.TaskNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Remove the processes in this memory cgroup and in every cgroup below it.</summary>
    [Parameter(ParameterSetName = FilterSet)]
    [ArgumentCompleter(typeof(Completers.CgroupPathCompleter))]
    public string? Cgroup { get; set; }

    /// <summary>Processes to remove, usually piped from Get-OomTask or from an outcome's Killed property.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public OomTask[] InputObject { get; set; } = null!;

    /// <summary>Write each removed OomTask to the pipeline.</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// Makes each process the filters or the piped objects name exit, under ShouldProcess; with no filter at all the
    /// command stops (InvalidArgument).
    /// </summary>
    protected override void ProcessRecord()
    {
        Machine = ResolveMachine(Machine);
        if (ParameterSetName == FilterSet && Pid is null && Name is null && Cgroup is null)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Say which processes to remove: -Pid, -Name, -Cgroup or pipe tasks in."),
                ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, Machine));
        }
        var refused = new List<ErrorRecord>();
        var removed = new List<OomTask>();
        Try(() => Locked(Machine, () =>
        {
            // All or nothing: a call naming a process the machine does not have removes none of those it names.
            var tasks = ParameterSetName == ByObjectSet
                ? AllOrNothing.Distinct(InputObject)
                : TaskFilter.Select(Machine, Pid, Name, Cgroup, e => refused.Add(ToErrorRecord(e)));
            foreach (var t in tasks)
                if (!ReferenceEquals(Machine.FindTask(t.Pid), t))
                    refused.Add(ToErrorRecord(new OomEngineException(OomError.TaskNotFound, $"Process {t} is not on machine '{Machine.Name}'.", t.Pid), t));
            if (refused.Count > 0) return;
            foreach (var t in tasks)
            {
                if (!ShouldProcess($"{t} on {Machine.Name}", "Remove process (exit)")) continue;
                AllOrNothing.Check(() =>
                {
                    Machine.RemoveTask(t);
                    removed.Add(t);
                }, ex => refused.Add(ToErrorRecord(ex, t)));
            }
        }), Machine);
        AllOrNothing.Refuse(this, refused);
        if (PassThru) foreach (var t in removed) WriteObject(t);
    }
}
