using System.Management.Automation;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;

namespace OomTools.Commands;

/// <summary>Enable-OomKiller: the kernel's oom_killer_enable.</summary>
[Cmdlet(VerbsLifecycle.Enable, "OomKiller", SupportsShouldProcess = true)]
[OutputType(typeof(OomMachine))]
public sealed class EnableOomKillerCommand : OomCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public OomMachine Machine { get; set; } = null!;

    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Machine.Name, "oom_killer_enable")) return;
        Machine.Killer.OomKillerEnable();
        if (PassThru) WriteObject(Machine);
    }
}
