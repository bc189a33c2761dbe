using System;
using System.Management.Automation;
using OomTools.Engine.Host;
using OomTools.Engine.Model;

namespace OomTools.Commands;

/// <summary>
/// Get-OomSnapshot: reads this Linux host (or a saved copy of its /proc and cgroup trees) into an OomMachine,
/// so Get-OomBadness, Invoke-OutOfMemory and the audits answer for it — for any constraint.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OomSnapshot")]
[OutputType(typeof(OomMachine))]
public sealed class GetOomSnapshotCommand : OomCmdlet
{
    /// <summary>The /proc tree to read (a saved copy for an offline snapshot).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ProcRoot { get; set; } = "/proc";

    /// <summary>The cgroup file-system root (v1 with a memory/ folder, or the v2 unified root).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string CgroupRoot { get; set; } = "/sys/fs/cgroup";

    /// <summary>The machine's name; the host name when omitted.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>The page size in bytes; this host's when omitted.</summary>
    [Parameter]
    [ValidateSet("4096", "16384", "65536")]
    public int PageSize { get; set; }

    /// <summary>Reads the /proc and cgroup trees once and writes the machine built from them.</summary>
    protected override void EndProcessing() => Try(() =>
    {
        var options = new HostSnapshotOptions
        {
            ProcRoot = GetUnresolvedProviderPathFromPSPath(ProcRoot),
            CgroupRoot = GetUnresolvedProviderPathFromPSPath(CgroupRoot),
            PageSize = PageSize != 0 ? PageSize : HostPageSize.Current,
            Name = Name ?? Environment.MachineName,
        };
        WriteProgress(new ProgressRecord(1, "Get-OomSnapshot", $"Reading {options.ProcRoot}"));
        var machine = HostSnapshot.Read(options, WriteWarning);
        WriteProgress(new ProgressRecord(1, "Get-OomSnapshot", "done") { RecordType = ProgressRecordType.Completed });
        MakeCurrent(machine);
        WriteObject(machine);
    }, ProcRoot);
}
