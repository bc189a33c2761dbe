using System.Management.Automation;
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

    [Parameter(Mandatory = true)]
    [ValidateNotNull]
    public OomMachine Machine { get; set; } = null!;

    [Parameter(ParameterSetName = FilterSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    public int[]? Pid { get; set; }

    [Parameter(ParameterSetName = FilterSet, Position = 0)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    [Parameter(ParameterSetName = FilterSet)]
    [ArgumentCompleter(typeof(Completers.CgroupPathCompleter))]
    public string? Cgroup { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ByObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public OomTask[] InputObject { get; set; } = null!;

    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == FilterSet && Pid is null && Name is null && Cgroup is null)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Say which processes to remove: -Pid, -Name, -Cgroup or pipe tasks in."),
                ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, Machine));
        }
        Try(() =>
        {
            var tasks = ParameterSetName == ByObjectSet
                ? InputObject
                : TaskFilter.Select(Machine, Pid, Name, Cgroup, e => WriteError(ToErrorRecord(e))).ToArray();
            foreach (var t in tasks)
            {
                if (!ShouldProcess($"{t} on {Machine.Name}", "Remove process (exit)")) continue;
                Try(() =>
                {
                    Machine.RemoveTask(t);
                    if (PassThru) WriteObject(t);
                }, t);
            }
        }, Machine);
    }
}
