using System.Management.Automation;
using OomTools.Engine.Log;
using OomTools.Engine.Model;

namespace OomTools.Commands;

/// <summary>Get-OomLog: the machine's kernel log, as dmesg shows it (<c>[  385.502398] ...</c>).</summary>
[Cmdlet(VerbsCommon.Get, "OomLog")]
[OutputType(typeof(KernelLogEntry), typeof(string))]
public sealed class GetOomLogCommand : OomCmdlet
{
    /// <summary>The machine whose kernel log to get; it can come from the pipeline.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>Only the last N lines.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Tail { get; set; }

    /// <summary>Plain strings (with the timestamp) instead of log entry objects.</summary>
    [Parameter]
    public SwitchParameter Raw { get; set; }

    /// <summary>
    /// Writes the log entries of each piped machine (with -Raw, the lines as dmesg prints them), only the last -Tail
    /// when given.
    /// </summary>
    protected override void ProcessRecord()
    {
        Machine = ResolveMachine(Machine);
        // A copy taken under the machine's lock: the log grows while other runspaces run OOMs.
        var entries = Locked(Machine, () => System.Linq.Enumerable.ToList(Machine.Log.Entries));
        int start = Tail is { } n && n < entries.Count ? entries.Count - n : 0;
        for (int i = start; i < entries.Count; i++)
        {
            if (Raw) WriteObject(entries[i].ToString());
            else WriteObject(entries[i]);
        }
    }
}
