using System.Management.Automation;
using OomTools.Engine.Audit;
using OomTools.Engine.Model;

namespace OomTools.Commands;

/// <summary>
/// Get-OomKillOrder: the order in which the kernel would kill, OOM after OOM (each victim exits and frees its
/// memory before the next OOM), until -Kills processes are dead or -Free bytes are freed. Runs on a copy.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OomKillOrder")]
[OutputType(typeof(KillOrderStep))]
public sealed class GetOomKillOrderCommand : OomDomainCmdlet
{
    /// <summary>
    /// The machine to simulate on (a copy is used; the machine is not changed); it can come from the pipeline.
    /// </summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>
    /// Stop after this many OOM kills (all that can be killed when omitted). -Kills, as Test-OomProtection and
    /// Export-OomAuditReport name the same idea; -Count is an alias.
    /// </summary>
    [Parameter]
    [Alias("Count")]
    [ValidateRange(1, int.MaxValue)]
    public int Kills { get; set; } = int.MaxValue;

    /// <summary>Stop once this much has been freed: bytes (1GB) or a number with a unit ('1G').</summary>
    [Parameter]
    [Size(SizeKind.Process)]
    [ValidateRange(1, long.MaxValue)]
    public MemorySize? Free { get; set; }

    /// <summary>Runs OOM after OOM on a copy of each piped machine and writes one step per OOM that killed.</summary>
    protected override void ProcessRecord() => Try(() =>
    {
        Sizes.WarnImplausible(this, Machine.PageSize);
        var until = Free is { } bytes ? Engine.Units.Pages.FromBytes(bytes.Bytes, Machine.PageSize) : (Engine.Units.Pages?)null;
        WriteProgress(new ProgressRecord(1, "Get-OomKillOrder", $"Simulating OOMs on a copy of {Machine.Name}"));
        // The copy is taken under the machine's lock; the OOMs run on it.
        var steps = Locked(Machine, () => OomAudit.KillOrder(Machine, Request(Machine), Kills, until));
        foreach (var step in steps) WriteObject(step);
        WriteProgress(new ProgressRecord(1, "Get-OomKillOrder", "done") { RecordType = ProgressRecordType.Completed });
    }, Machine = ResolveMachine(Machine));
}
