using System;
using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Model;

namespace OomTools;

/// <summary>
/// The shared base of every OomTools cmdlet: engine refusals become ErrorRecords here, in one place, with a
/// stable error id (the engine's <see cref="OomError"/> name) and the category that fits it.
/// </summary>
public abstract class OomCmdlet : PSCmdlet
{
    /// <summary>Turns an engine or parse failure into an ErrorRecord naming the bad value.</summary>
    protected ErrorRecord ToErrorRecord(Exception ex, object? target = null) => ex switch
    {
        OomEngineException e => new ErrorRecord(e, e.Error.ToString(), CategoryOf(e.Error), e.Target ?? target),
        WildcardPatternException w => new ErrorRecord(w, ErrorIds.InvalidNamePattern, ErrorCategory.InvalidArgument, target),
        FormatException f => new ErrorRecord(f, ErrorIds.InvalidFormat, ErrorCategory.InvalidArgument, target),
        ArgumentException a => new ErrorRecord(a, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, target),
        // A checked memory total that does not fit a long: only sizes past what any machine holds get there.
        OverflowException o => new ErrorRecord(o, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, target),
        _ => new ErrorRecord(ex, ErrorIds.Unexpected, ErrorCategory.NotSpecified, target),
    };

    private static ErrorCategory CategoryOf(OomError error) => error switch
    {
        OomError.DuplicatePid or OomError.CgroupExists or OomError.CpusetExists => ErrorCategory.ResourceExists,
        OomError.TaskNotFound or OomError.CgroupNotFound or OomError.CpusetNotFound => ErrorCategory.ObjectNotFound,
        OomError.InvalidState => ErrorCategory.InvalidOperation,
        OomError.NotifierFailed => ErrorCategory.OperationStopped,
        _ => ErrorCategory.InvalidArgument,
    };

    /// <summary>Runs one record's work; a refusal is written as a non-terminating error and the pipeline goes on.</summary>
    protected void Try(Action work, object? target = null)
    {
        try { work(); }
        catch (Exception ex) when (IsRefusal(ex))
        {
            WriteError(ToErrorRecord(ex, target));
        }
    }

    /// <summary>
    /// A failure that is a refusal of the input (or of the machine's state), written as an ErrorRecord with a stable
    /// id; anything else is a fault and propagates.
    /// </summary>
    internal static bool IsRefusal(Exception ex) =>
        ex is OomEngineException or FormatException or ArgumentException or WildcardPatternException or OverflowException;

    /// <summary>Stops the command with an engine or parse failure that leaves nothing to go on with.</summary>
    protected void Fail(Exception ex, object? target = null) => ThrowTerminatingError(ToErrorRecord(ex, target));

    /// <summary>
    /// Runs engine work on <paramref name="machine"/> under its lock (<see cref="OomMachine.SyncRoot"/>: the
    /// kernel's oom_lock and tasklist_lock), so a machine shared by several runspaces changes one call at a time and
    /// a reader never walks a list being changed. Results are handed back to be written after the lock is released:
    /// a downstream cmdlet that locks another machine can then never deadlock with this one.
    /// </summary>
    protected static T Locked<T>(OomMachine machine, Func<T> work)
    {
        lock (machine.SyncRoot) return work();
    }

    /// <summary><see cref="Locked{T}(OomMachine, Func{T})"/> for work with no result.</summary>
    protected static void Locked(OomMachine machine, Action work)
    {
        lock (machine.SyncRoot) work();
    }

    /// <summary>
    /// The machine a record works on: <paramref name="bound"/> (given as -Machine or from the pipeline), else the
    /// session's current machine (<see cref="CurrentMachine"/>); with neither, the command stops with a
    /// NoCurrentMachine error instead of the prompt a mandatory -Machine would show. A cmdlet calls it first in each
    /// record, <c>Machine = ResolveMachine(Machine)</c> (an expression-bodied ProcessRecord does it in the record's
    /// target argument, which is evaluated before the work runs): a machine bound from the pipeline is only known
    /// then, and PowerShell puts a pipeline-bound -Machine back to its default before the next record binds. It is not
    /// done in the property's getter: PowerShell reads that getter to save the default before it binds a record, when
    /// a machine that is about to arrive from the pipeline must not be an error yet.
    /// </summary>
    protected OomMachine ResolveMachine(OomMachine? bound)
    {
        if (bound is not null) return bound;
        if (CurrentMachine.Get(SessionState) is { } current) return current;
        ThrowTerminatingError(new ErrorRecord(
            new PSInvalidOperationException("No machine: give -Machine, or create one with New-OomMachine, Get-OomSnapshot or Import-OomMachine (it becomes the current machine; Set-OomCurrentMachine picks another)."),
            ErrorIds.NoCurrentMachine, ErrorCategory.InvalidOperation, null));
        return null!;
    }

    /// <summary>
    /// Makes <paramref name="machine"/> the session's current machine: New-OomMachine, Get-OomSnapshot and
    /// Import-OomMachine call it for each machine they write, as PowerCLI's Connect-VIServer sets $DefaultVIServer.
    /// </summary>
    protected void MakeCurrent(OomMachine machine) => CurrentMachine.Set(SessionState, machine);

    /// <summary>The parameter was given (on the command line or from the pipeline), not left at its default.</summary>
    protected bool IsBound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);
}
