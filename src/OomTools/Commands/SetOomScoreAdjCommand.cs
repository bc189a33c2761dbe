using System;
using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Host;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Proc;

namespace OomTools.Commands;

/// <summary>
/// Set-OomScoreAdj: writes oom_score_adj the way the kernel takes it — /proc/PID/oom_score_adj (-1000..1000) or
/// the legacy /proc/PID/oom_adj (-17..15) with the kernel's conversions, the oom_score_adj_min rule for writers
/// without CAP_SYS_RESOURCE, and propagation to processes sharing the mm. Refusals are errors named after the
/// kernel's errno (EACCES, EINVAL, ERANGE, ESRCH). -Live writes a real process's file on this host: a pid given
/// explicitly, or a task piped from Get-OomSnapshot of this boot of this host whose pid is still the process read;
/// it confirms as a high-impact change.
/// </summary>
[Cmdlet(VerbsCommon.Set, "OomScoreAdj", SupportsShouldProcess = true, DefaultParameterSetName = ByPidSet)]
[OutputType(typeof(OomScoreAdjChange), ParameterSetName = new[] { ByPidSet, ByObjectSet })]
[OutputType(typeof(LiveOomScoreAdjWrite), ParameterSetName = new[] { LiveSet })]
public sealed class SetOomScoreAdjCommand : OomCmdlet
{
    private const string ByPidSet = "ByPid", ByObjectSet = "ByObject", LiveSet = "Live", LiveObjectSet = "LiveObject";

    /// <summary>The simulated machine that holds the processes (not with -Live).</summary>
    [Parameter(ParameterSetName = ByPidSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = ByObjectSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>
    /// The pids of the processes to write (with -Live, processes on this host); it also binds from a piped object's Pid
    /// property.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByPidSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = LiveSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    public int[] Pid { get; set; } = null!;

    /// <summary>
    /// The processes to write, as OomTask objects of -Machine (one no longer on it is ESRCH); with -Live, tasks of a
    /// Get-OomSnapshot of this host, each written only while its pid is still the process read.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = ByObjectSet, ValueFromPipeline = true)]
    [Parameter(Mandatory = true, ParameterSetName = LiveObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public OomTask[] InputObject { get; set; } = null!;

    /// <summary>The text written to oom_score_adj (as the kernel parses it: 500, -1000, 0x10 …).</summary>
    [Parameter(Position = 1)]
    [Alias("OomScoreAdj")]
    [ValidateNotNullOrEmpty]
    public string? Value { get; set; }

    /// <summary>Write the legacy /proc/PID/oom_adj instead (-17 disables, -16..15).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OomAdj { get; set; }

    /// <summary>The writer has CAP_SYS_RESOURCE: may go below oom_score_adj_min, and sets it.</summary>
    [Parameter(ParameterSetName = ByPidSet)]
    [Parameter(ParameterSetName = ByObjectSet)]
    public SwitchParameter Privileged { get; set; }

    /// <summary>
    /// Write the real file of a process on this host: a high-impact change, confirmed unless -Force or -Confirm:$false.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = LiveSet)]
    [Parameter(Mandatory = true, ParameterSetName = LiveObjectSet)]
    public SwitchParameter Live { get; set; }

    /// <summary>With -Live, write without asking for confirmation.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [Parameter(ParameterSetName = LiveObjectSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>With -Live, the /proc tree to write into: a folder of the file system provider.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [Parameter(ParameterSetName = LiveObjectSet)]
    [ValidateNotNullOrEmpty]
    public string ProcRoot { get; set; } = "/proc";

    private LiveTarget? live;

    /// <summary>Stops the command (InvalidArgument) unless exactly one of -Value and -OomAdj is given.</summary>
    protected override void BeginProcessing()
    {
        if ((Value is null) == (OomAdj is null))
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Give exactly one of -Value (oom_score_adj) or -OomAdj (legacy oom_adj)."),
                ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, null));
        // Pipeline binding has not happened yet: a -Pid bound now was typed by the user.
        if (Live) live = LiveTarget.Open(this, ProcRoot, pidGivenExplicitly: IsBound(nameof(Pid)));
    }

    /// <summary>
    /// Writes the value for each process given or piped: on the machine (a change, or an error named after the errno),
    /// or with -Live into the host's file.
    /// </summary>
    protected override void ProcessRecord()
    {
        if (live is not null) { live.Write(ParameterSetName == LiveObjectSet ? InputObject : null, Pid, Value, OomAdj, Force); return; }
        Machine = ResolveMachine(Machine);
        var refused = new System.Collections.Generic.List<ErrorRecord>();
        var written = new System.Collections.Generic.List<OomScoreAdjChange>();
        // Checked and written under the machine's lock, so no other runspace changes it in between.
        Locked(Machine, () => WriteAll(refused, written));
        foreach (var record in refused) WriteError(record);
        foreach (var change in written) WriteObject(change);
    }

    private void WriteAll(System.Collections.Generic.List<ErrorRecord> refused, System.Collections.Generic.List<OomScoreAdjChange> written)
    {
        var tasks = ParameterSetName == ByObjectSet ? InputObject : Array.ConvertAll(Pid, p => Machine.FindTask(p)!);
        // All or nothing: every pid is found and every write checked (its errno) before the first is made.
        for (int i = 0; i < tasks.Length; i++)
        {
            var task = tasks[i];
            if (task is null)
            {
                refused.Add(ToErrorRecord(new OomEngineException(OomError.TaskNotFound, $"Machine '{Machine.Name}' has no process with pid {Pid[i]}.", Pid[i])));
                continue;
            }
            var check = OomScoreAdjWriter.CheckWrite(Machine, task, Value ?? OomAdj!, legacy: Value is null, Privileged);
            if (check.Errno != Errno.Success) refused.Add(ErrnoRecord(check.Errno, $"{task}: {check.Reason}.", task));
        }
        if (refused.Count > 0) return;
        foreach (var task in tasks)
        {
            var what = Value is not null ? $"oom_score_adj = {Value}" : $"oom_adj = {OomAdj}";
            if (!ShouldProcess($"{task} on {Machine.Name}", $"Write {what}")) continue;
            var change = Value is not null
                ? OomScoreAdjWriter.WriteOomScoreAdj(Machine, task, Value, Privileged)
                : OomScoreAdjWriter.WriteOomAdj(Machine, task, OomAdj!, Privileged);
            if (change.Errno == Errno.Success) written.Add(change);
            else refused.Add(ErrnoRecord(change.Errno, $"{task}: {change.Reason}.", task));
        }
    }

    internal static ErrorRecord ErrnoRecord(Errno errno, string message, object target) => new(
        new InvalidOperationException($"{errno}: {message}"), errno.ToString(),
        errno switch
        {
            Errno.EACCES => ErrorCategory.PermissionDenied,
            Errno.ESRCH => ErrorCategory.ObjectNotFound,
            _ => ErrorCategory.InvalidArgument,
        }, target);
}

/// <summary>What Set-OomScoreAdj -Live wrote into a real process's file, and what the kernel reads back.</summary>
public sealed class LiveOomScoreAdjWrite
{
    internal LiveOomScoreAdjWrite(int pid, string path, string written, string readBack)
    {
        Pid = pid;
        Path = path;
        Written = written;
        ReadBack = readBack;
    }

    /// <summary>The pid of the host process written.</summary>
    public int Pid { get; }
    /// <summary>The file written: /proc/PID/oom_score_adj, or /proc/PID/oom_adj for -OomAdj.</summary>
    public string Path { get; }
    /// <summary>The text written into it.</summary>
    public string Written { get; }
    /// <summary>The file's content after the write (the kernel's own parse of it).</summary>
    public string ReadBack { get; }
}
