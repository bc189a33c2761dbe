using System.Management.Automation;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;

namespace OomTools.Commands;

/// <summary>Enable-OomKiller: the kernel's oom_killer_enable.</summary>
[Cmdlet(VerbsLifecycle.Enable, "OomKiller", SupportsShouldProcess = true)]
[OutputType(typeof(OomMachine))]
public sealed class EnableOomKillerCommand : OomCmdlet
{
    /// <summary>The machine whose OOM killer to enable; it also binds from the pipeline.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>Write the machine to the pipeline.</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    /// <summary>Enables the OOM killer of each piped machine again.</summary>
    protected override void ProcessRecord()
    {
        Machine = ResolveMachine(Machine);
        if (!ShouldProcess(Machine.Name, "oom_killer_enable")) return;
        Locked(Machine, () => Machine.Killer.OomKillerEnable());
        if (PassThru) WriteObject(Machine);
    }
}
