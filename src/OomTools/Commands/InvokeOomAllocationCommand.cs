using System.Management.Automation;
using OomTools.Engine.Model;
using OomTools.Engine.PageAlloc;
using OomTools.Engine.Timeline;
using OomTools.Engine.Units;

namespace OomTools.Commands;

/// <summary>
/// Invoke-OomAllocation: a process allocates memory as the page allocator and the memcg charge path see it —
/// charged to its cgroups and the machine; where it does not fit, out_of_memory runs with the process as
/// current, and the charge waits for the victim to exit or be reaped. With -Rate the allocation grows over
/// simulated time (a leak), so a storm of OOMs plays out as the kernel's would.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "OomAllocation", SupportsShouldProcess = true)]
[OutputType(typeof(TimelineEvent))]
public sealed class InvokeOomAllocationCommand : OomCmdlet
{
    /// <summary>The machine the process is on.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>The allocating process's pid; it also binds from a piped object's Pid property (Get-OomTask).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    public int Pid { get; set; }

    /// <summary>How much to allocate: bytes (200MB) or a number with a unit ('200M', '1.5GiB').</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Size(SizeKind.Process)]
    [ValidateRange(1, long.MaxValue)]
    public MemorySize Size { get; set; }

    /// <summary>Grow at this many bytes (or a size with a unit, '50M') per second of simulated time instead of all at once.</summary>
    [Parameter]
    [Size(SizeKind.Process)]
    [ValidateRange(1, long.MaxValue)]
    public MemorySize? Rate { get; set; }

    /// <summary>
    /// Write every event on the way (each tick's charge of a -Rate allocation, the victims' exits, the reaper's work)
    /// instead of the summary: the OOMs and the final result. Export-OomTimelineChart draws the curve from them.
    /// </summary>
    [Parameter]
    public SwitchParameter Detail { get; set; }

    /// <summary>
    /// Allocates for each piped process and writes its OOMs and how it ended (with -Detail, every timeline event on the
    /// way: charges, exits, the reaper, waits).
    /// </summary>
    protected override void ProcessRecord() => Try(() =>
    {
        Machine = ResolveMachine(Machine);
        Sizes.WarnImplausible(this, Machine.PageSize);
        var task = Locked(Machine, () => Machine.GetTask(Pid));
        if (!ShouldProcess($"{task} on {Machine.Name}", $"Allocate {Size.Bytes} bytes")) return;
        var perSecond = Rate is { } rate ? Pages.FromBytes(rate.Bytes, Machine.PageSize) : (Pages?)null;
        // The charge, and any OOM it runs into, under the machine's lock (oom_lock); the events are written after.
        var events = Locked(Machine, () => System.Linq.Enumerable.ToList(Machine.PageAllocator.Allocate(task, Pages.FromBytes(Size.Bytes, Machine.PageSize), perSecond)));
        foreach (var e in Detail ? events : AllocationSummary.Summarize(events, Machine.Hz)) WriteObject(e);
    }, Pid);
}
