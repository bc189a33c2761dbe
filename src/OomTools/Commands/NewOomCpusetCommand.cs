using System.Management.Automation;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Commands;

/// <summary>New-OomCpuset: a cpuset whose tasks may only use the given memory nodes.</summary>
[Cmdlet(VerbsCommon.New, "OomCpuset", SupportsShouldProcess = true)]
[OutputType(typeof(Cpuset))]
public sealed class NewOomCpusetCommand : OomCmdlet
{
    /// <summary>The machine to create the cpuset on.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>The cpuset path, such as /batch or /batch/job-1; its parent must exist.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>cpuset.mems as a node list, such as 0 or 0-1,3.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Mems { get; set; } = null!;

    /// <summary>cpuset.mem_hardwall (or mem_exclusive): softwall allocations stop at this cpuset too.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter Hardwall { get; set; }

    /// <summary>Creates one cpuset per piped path and writes it.</summary>
    protected override void ProcessRecord() => Try(() =>
    {
        Machine = ResolveMachine(Machine);
        var mems = NodeMask.Parse(Mems);
        if (!ShouldProcess($"{Path} on {Machine.Name}", "Create cpuset")) return;
        WriteObject(Locked(Machine, () => Machine.CreateCpuset(Path, mems, Hardwall)));
    }, Mems);
}
