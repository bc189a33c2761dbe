using System.Management.Automation;
using OomTools.Engine.Model;

namespace OomTools.Commands;

/// <summary>
/// Set-OomCurrentMachine: makes a machine the session's current machine, the default of every -Machine. The last
/// machine given (or piped) wins. Only this runspace's current machine changes.
/// </summary>
[Cmdlet(VerbsCommon.Set, "OomCurrentMachine", SupportsShouldProcess = true)]
[OutputType(typeof(OomMachine))]
public sealed class SetOomCurrentMachineCommand : OomCmdlet
{
    /// <summary>The machine to make current; it binds from the pipeline, and by the property name Machine.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>Write the machine to the pipeline.</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    /// <summary>Makes each machine given current, under ShouldProcess; with -PassThru writes it.</summary>
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Machine.Name, "Make it the current OomTools machine")) return;
        MakeCurrent(Machine);
        if (PassThru) WriteObject(Machine);
    }
}
