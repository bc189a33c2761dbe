using System.Management.Automation;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;

namespace OomTools.Commands;

/// <summary>
/// Invoke-ProcessMrelease: the process_mrelease(2) syscall a userspace OOM killer calls after SIGKILL — reap
/// a dying process's anonymous memory now. Returns the errno (Success, EINVAL, ESRCH, EAGAIN, EINTR) and the
/// pages freed; a failed call is a result, not an error, as the syscall's return value is.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ProcessMrelease", SupportsShouldProcess = true)]
[OutputType(typeof(MreleaseResult))]
public sealed class InvokeProcessMreleaseCommand : OomCmdlet
{
    /// <summary>The machine the process is on.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>
    /// The pid of the dying process to reap (it stands for the syscall's pidfd); it also binds from a piped object's
    /// Pid property.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    public int Pid { get; set; }

    /// <summary>The syscall's flags; the kernel accepts only 0.</summary>
    [Parameter]
    public uint Flags { get; set; }

    /// <summary>
    /// Calls process_mrelease for each piped pid and writes its result: the errno and the pages freed.
    /// </summary>
    protected override void ProcessRecord() => Try(() =>
    {
        Machine = ResolveMachine(Machine);
        if (!ShouldProcess($"pid {Pid} on {Machine.Name}", "process_mrelease")) return;
        WriteObject(Locked(Machine, () => Machine.Killer.ProcessMrelease(Pid, Flags)));
    }, Pid);
}
