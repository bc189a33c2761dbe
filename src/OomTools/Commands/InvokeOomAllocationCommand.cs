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

    /// <summary>How much to allocate, in bytes.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateRange(1, long.MaxValue)]
    public long Size { get; set; }

    /// <summary>Grow at this many bytes per second of simulated time instead of all at once.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long? Rate { get; set; }

    /// <summary>
    /// Allocates for each piped process and writes the timeline events on the way (charges, OOMs, waits).
    /// </summary>
    protected override void ProcessRecord() => Try(() =>
    {
        Machine = ResolveMachine(Machine);
        var task = Locked(Machine, () => Machine.GetTask(Pid));
        if (!ShouldProcess($"{task} on {Machine.Name}", $"Allocate {Size} bytes")) return;
        var perSecond = Rate is { } rate ? Pages.FromBytes(rate, Machine.PageSize) : (Pages?)null;
        // The charge, and any OOM it runs into, under the machine's lock (oom_lock); the events are written after.
        var events = Locked(Machine, () => System.Linq.Enumerable.ToList(Machine.PageAllocator.Allocate(task, Pages.FromBytes(Size, Machine.PageSize), perSecond)));
        foreach (var e in events) WriteObject(e);
    }, Pid);
}
