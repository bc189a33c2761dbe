using System.Management.Automation;
using OomTools.Engine.Killer;

namespace OomTools.Commands;

/// <summary>Unregister-OomNotifier: leaves the oom_notify_list.</summary>
[Cmdlet(VerbsLifecycle.Unregister, "OomNotifier", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class UnregisterOomNotifierCommand : OomCmdlet
{
    /// <summary>
    /// The registration to remove, from Register-OomNotifier; it also binds from the pipeline and by position.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
    [ValidateNotNull]
    public OomNotifierRegistration InputObject { get; set; } = null!;

    /// <summary>
    /// Removes each piped registration from its machine's oom_notify_list (unregister_oom_notifier); one not registered
    /// is a NotifierNotRegistered error.
    /// </summary>
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(InputObject.Machine.Name, $"Unregister OOM notifier '{InputObject.Name}'")) return;
        if (!Locked(InputObject.Machine, () => InputObject.Machine.Killer.UnregisterOomNotifier(InputObject.Callback)))
            WriteError(new ErrorRecord(new PSInvalidOperationException($"OOM notifier '{InputObject.Name}' is not registered on '{InputObject.Machine.Name}'."),
                "NotifierNotRegistered", ErrorCategory.ObjectNotFound, InputObject));
    }
}
