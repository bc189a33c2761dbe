using System.Management.Automation;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Timeline;
using OomTools.Engine.Units;

namespace OomTools.Commands;

/// <summary>
/// Disable-OomKiller: the kernel's oom_killer_disable (as suspend uses it): allocations that would OOM fail
/// instead, after waiting — in simulated time, up to -Timeout — for the victims in flight to exit. Returns
/// whether the killer is disabled; when the wait times out it is enabled again.
/// </summary>
[Cmdlet(VerbsLifecycle.Disable, "OomKiller", SupportsShouldProcess = true)]
[OutputType(typeof(bool))]
public sealed class DisableOomKillerCommand : OomCmdlet
{
    /// <summary>The machine whose OOM killer to disable; it also binds from the pipeline.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>How long to wait for the victims in flight, in milliseconds.</summary>
    [Parameter(Position = 0)]
    [ValidateRange(0, int.MaxValue)]
    public long Timeout { get; set; } = 20_000;

    /// <summary>Disables the OOM killer of each piped machine and writes whether it is disabled.</summary>
    protected override void ProcessRecord() => Try(() =>
    {
        if (!ShouldProcess(Machine.Name, "oom_killer_disable")) return;
        bool ok = Locked(Machine, () => Machine.Killer.OomKillerDisable(new Milliseconds(Timeout).ToJiffies(Machine.Hz), Machine.Timeline));
        if (!ok) WriteWarning($"{Machine.OomVictims} OOM victim(s) still in flight after {Timeout} ms: the OOM killer stays enabled.");
        WriteObject(ok);
    }, Machine = ResolveMachine(Machine));
}
