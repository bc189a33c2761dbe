using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Host;
using OomTools.Commands;
using OomTools.Engine.Host;
using OomTools.Engine.Model;

namespace OomTools;

/// <summary>
/// Set-OomScoreAdj -Live: the checks before a real process's oom_score_adj is written. Only a pid the user typed,
/// or a task of a snapshot of this boot of this host whose pid is still the process read, is written; the proc root
/// must be a file-system folder; and the write is confirmed as a high-impact change (the cmdlet itself is Medium,
/// for its simulated writes), never by a prompt a non-interactive session cannot answer.
/// </summary>
internal sealed class LiveTarget
{
    private readonly PSCmdlet cmdlet;
    private readonly string procRoot;
    private readonly bool pidGivenExplicitly;
    private readonly IHostFileSystem fs = new DiskFileSystem();
    private bool yesToAll, noToAll;

    private LiveTarget(PSCmdlet cmdlet, string procRoot, bool pidGivenExplicitly)
    {
        this.cmdlet = cmdlet;
        this.procRoot = procRoot;
        this.pidGivenExplicitly = pidGivenExplicitly;
    }

    /// <summary>Resolves -ProcRoot on the file system provider; anything else stops the command.</summary>
    public static LiveTarget Open(PSCmdlet cmdlet, string procRoot, bool pidGivenExplicitly)
    {
        string path;
        ProviderInfo provider;
        try { path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(procRoot, out provider, out _); }
        catch (Exception e) when (e is SessionStateException or NotSupportedException or ArgumentException or PSInvalidOperationException)
        {
            throw Stop(cmdlet, procRoot, $"-ProcRoot '{procRoot}' is not a folder of the file system: {e.Message}");
        }
        if (provider.Name != "FileSystem")
            throw Stop(cmdlet, procRoot, $"-ProcRoot '{procRoot}' is on the {provider.Name} provider: -Live writes /proc files, so it takes a folder of the file system (such as /proc).");
        return new LiveTarget(cmdlet, path, pidGivenExplicitly);
    }

    private static PipelineStoppedException Stop(PSCmdlet cmdlet, string procRoot, string message)
    {
        cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), ErrorIds.ProcRootNotFileSystem, ErrorCategory.InvalidArgument, procRoot));
        return new PipelineStoppedException(); // not reached: ThrowTerminatingError throws
    }

    /// <summary>Writes the value to each piped task (<paramref name="tasks"/>) or each pid.</summary>
    public void Write(OomTask[]? tasks, int[]? pids, string? value, string? oomAdj, bool force)
    {
        if (tasks is not null)
        {
            foreach (var task in tasks)
            {
                var why = HostBoot.WhyNotLive(fs, procRoot, task, out bool changed);
                if (why is not null) Refuse(changed ? ErrorIds.ProcessChanged : ErrorIds.NotFromThisHost, why, task, changed);
                else WriteOne(task.Pid, value, oomAdj, force);
            }
            return;
        }
        foreach (var pid in pids ?? Array.Empty<int>())
        {
            if (!pidGivenExplicitly)
            {
                Refuse(ErrorIds.NotFromThisHost, $"pid {pid} came from a piped object that is not a task of a Get-OomSnapshot of this host: it names no process here. Pipe tasks of Get-OomSnapshot, or give -Pid explicitly.", pid, changed: false);
                continue;
            }
            WriteOne(pid, value, oomAdj, force);
        }
    }

    private void Refuse(string id, string message, object target, bool changed) =>
        cmdlet.WriteError(new ErrorRecord(new InvalidOperationException(message), id,
            changed ? ErrorCategory.InvalidOperation : ErrorCategory.SecurityError, target));

    private void WriteOne(int pid, string? value, string? oomAdj, bool force)
    {
        var path = ProcOomScoreAdjFile.PathOf(procRoot, pid, legacy: value is null);
        var text = value ?? oomAdj!;
        if (!Directory.Exists(HostSnapshot.Join(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture))))
        {
            cmdlet.WriteError(SetOomScoreAdjCommand.ErrnoRecord(Engine.Model.Errno.ESRCH, $"{path}: there is no process {pid}", pid));
            return;
        }
        if (!Confirmed(path, text, force)) return;
        var errno = ProcOomScoreAdjFile.Write(path, text, out var result);
        if (errno != Engine.Model.Errno.Success)
        {
            cmdlet.WriteError(SetOomScoreAdjCommand.ErrnoRecord(errno, $"{path}: {result}", pid));
            return;
        }
        cmdlet.WriteVerbose($"Wrote '{text}' to {path}.");
        cmdlet.WriteObject(new LiveOomScoreAdjWrite(pid, path, text, result));
    }

    /// <summary>
    /// ShouldProcess (-WhatIf, -Confirm, a $ConfirmPreference of Medium or lower), then the prompt a ConfirmImpact
    /// High cmdlet gets under the default $ConfirmPreference, unless -Force or -Confirm:$false was given or the
    /// preference is None. A host that cannot prompt gets an error saying how to confirm in advance.
    /// </summary>
    private bool Confirmed(string path, string text, bool force)
    {
        try
        {
            if (!cmdlet.ShouldProcess(path, $"Write '{text}'")) return false;
            if (force || cmdlet.MyInvocation.BoundParameters.ContainsKey("Confirm")) return true;
            // A $ConfirmPreference set in a child scope is a plain string there, as PowerShell itself reads it.
            var preference = Enum.TryParse<ConfirmImpact>(cmdlet.SessionState.PSVariable.GetValue("ConfirmPreference")?.ToString(), true, out var p) ? p : ConfirmImpact.High;
            if (preference != ConfirmImpact.High) return true; // None: never asked; Low or Medium: ShouldProcess asked
            if (yesToAll) return true;
            if (noToAll) return false;
            if (cmdlet.Host?.UI is null) throw new PSInvalidOperationException("this session has no user interface to ask in");
            return cmdlet.ShouldContinue($"Write '{text}' to {path}? This changes which process the real kernel kills.", "Set-OomScoreAdj -Live", ref yesToAll, ref noToAll);
        }
        // A host whose input is redirected or closed fails inside the prompt (pwsh -c with no console gives a
        // NullReferenceException there): in every case no one can answer.
        catch (Exception e) when (e is PSInvalidOperationException or HostException or NotImplementedException or PSNotImplementedException or NullReferenceException or IOException)
        {
            cmdlet.WriteError(new ErrorRecord(new InvalidOperationException(
                $"Writing '{text}' to {path} needs confirmation, and this session cannot ask for it ({e.Message}). Add -Force or -Confirm:$false to write without asking."),
                ErrorIds.ConfirmationRequired, ErrorCategory.InvalidOperation, path));
            return false;
        }
    }
}
