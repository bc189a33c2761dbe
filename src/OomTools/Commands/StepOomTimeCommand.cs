using System.Management.Automation;
using OomTools.Engine.Model;
using OomTools.Engine.PageAlloc;
using OomTools.Engine.Timeline;

namespace OomTools.Commands;

/// <summary>
/// Step-OomTime: advances a machine's clock and returns, in order, what happened on the way — killed processes
/// exiting (or stuck), the oom_reaper's 2 s timer, its attempts and what it reaped.
/// </summary>
[Cmdlet(VerbsCommon.Step, "OomTime", SupportsShouldProcess = true, DefaultParameterSetName = MillisecondsSet)]
[OutputType(typeof(TimelineEvent))]
public sealed class StepOomTimeCommand : OomCmdlet
{
    private const string MillisecondsSet = "Milliseconds", JiffiesSet = "Jiffies", NextSet = "NextEvent", IdleSet = "Idle";

    /// <summary>The machine whose clock moves; it also binds from the pipeline.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>
    /// How far to move the clock, in milliseconds of simulated time, rounded down to whole jiffies (4 ms each at
    /// HZ=250).
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = MillisecondsSet)]
    [ValidateRange(0, long.MaxValue / 1_000_000)]
    public long Milliseconds { get; set; }

    /// <summary>How far to move the clock, in jiffies.</summary>
    [Parameter(Mandatory = true, ParameterSetName = JiffiesSet)]
    [ValidateRange(0, long.MaxValue / 1_000_000)]
    public long Jiffies { get; set; }

    /// <summary>Up to the next thing due (and everything due at that jiffy).</summary>
    [Parameter(Mandatory = true, ParameterSetName = NextSet)]
    public SwitchParameter UntilNextEvent { get; set; }

    /// <summary>Until nothing more is due.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdleSet)]
    public SwitchParameter UntilIdle { get; set; }

    /// <summary>Advances each piped machine's clock and writes, in order, the timeline events due on the way.</summary>
    protected override void ProcessRecord() => Try(() =>
    {
        if (!ShouldProcess(Machine.Name, "Advance simulated time")) return;
        // Time runs under the machine's lock; what happened is written after it.
        var (events, woken) = Locked(Machine, () =>
        {
            var stepped = System.Linq.Enumerable.ToList(ParameterSetName switch
            {
                MillisecondsSet => Machine.Timeline.StepBy(new Engine.Units.Milliseconds(Milliseconds)),
                JiffiesSet => Machine.Timeline.StepBy(new Engine.Units.Jiffies(Jiffies)),
                NextSet => Machine.Timeline.StepToNext(),
                _ => Machine.Timeline.StepUntilIdle(),
            });
            // Charges an exit woke in a memcg OOM (v1 oom_kill_disable) go on now.
            return (stepped, System.Linq.Enumerable.ToList(Machine.PageAllocator.RunWokenCharges()));
        });
        foreach (var e in events) WriteObject(e);
        foreach (var e in woken) WriteObject(e);
    }, Machine = ResolveMachine(Machine));
}
