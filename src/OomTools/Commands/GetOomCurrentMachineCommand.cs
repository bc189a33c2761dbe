using System.Management.Automation;
using OomTools.Engine.Model;

namespace OomTools.Commands;

/// <summary>
/// Get-OomCurrentMachine: the session's current machine, the one every -Machine defaults to (the last one
/// New-OomMachine, Get-OomSnapshot or Import-OomMachine wrote, or the one Set-OomCurrentMachine picked). Nothing
/// when there is none yet: "which machine is current?" has "none" as an answer, not an error.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OomCurrentMachine")]
[OutputType(typeof(OomMachine))]
public sealed class GetOomCurrentMachineCommand : OomCmdlet
{
    /// <summary>Writes the current machine, or nothing when the session has none.</summary>
    protected override void EndProcessing()
    {
        if (CurrentMachine.Get(SessionState) is { } machine) WriteObject(machine);
        else WriteVerbose("No current machine: New-OomMachine, Get-OomSnapshot, Import-OomMachine or Set-OomCurrentMachine make one current.");
    }
}
