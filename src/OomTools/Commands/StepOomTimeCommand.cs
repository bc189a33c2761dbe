using System;
using System.Management.Automation;
using OomTools.Engine.Model;
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

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public OomMachine Machine { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = MillisecondsSet)]
    [ValidateRange(0, long.MaxValue / 1_000_000)]
    public long Milliseconds { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = JiffiesSet)]
    [ValidateRange(0, long.MaxValue / 1_000_000)]
    public long Jiffies { get; set; }

    /// <summary>Up to the next thing due (and everything due at that jiffy).</summary>
    [Parameter(Mandatory = true, ParameterSetName = NextSet)]
    public SwitchParameter UntilNextEvent { get; set; }

    /// <summary>Until nothing more is due.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdleSet)]
    public SwitchParameter UntilIdle { get; set; }

    protected override void ProcessRecord() => Try(() =>
    {
        if (!ShouldProcess(Machine.Name, "Advance simulated time")) return;
        var k = Machine.Timeline;
        switch (ParameterSetName)
        {
            case MillisecondsSet: Write(k.Step(Machine.Jiffies + Milliseconds * Machine.Hz / 1000)); break;
            case JiffiesSet: Write(k.Step(Machine.Jiffies + Jiffies)); break;
            case NextSet:
                var (next, _) = Machine.NextDue();
                if (next is { } at) Write(k.Step(at));
                break;
            default:
                for (int guard = 0; guard < 100_000 && Machine.NextDue().At is { } due; guard++) Write(k.Step(due));
                break;
        }
    }, Machine);

    private void Write(System.Collections.Generic.IReadOnlyList<TimelineEvent> events)
    {
        foreach (var e in events) WriteObject(e);
    }
}
