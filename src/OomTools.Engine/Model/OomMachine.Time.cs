using System.Collections.Generic;
using OomTools.Engine.Time;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    /// <summary>
    /// Runs simulated time forward by <paramref name="duration"/> from now, with everything that falls due on the
    /// way (exits, the oom_reaper's timer and attempts); returns what happened, in order.
    /// </summary>
    public IReadOnlyList<TimelineEvent> StepTime(Units.Jiffies duration) => Killer.Step(Jiffies + duration.Value);

    /// <summary>
    /// <see cref="StepTime(Units.Jiffies)"/> for a duration in milliseconds, cut to whole jiffies at this
    /// machine's HZ.
    /// </summary>
    public IReadOnlyList<TimelineEvent> StepTime(Milliseconds duration) => StepTime(duration.ToJiffies(Hz));

    /// <summary>Runs time up to the next thing due and everything due at that jiffy; nothing when nothing is pending.</summary>
    public IReadOnlyList<TimelineEvent> StepToNextEvent() =>
        Killer.NextDue().At is { } at ? Killer.Step(at) : new List<TimelineEvent>();

    /// <summary>
    /// Runs time from one due thing to the next until nothing more is due, or <paramref name="maxSteps"/> jiffies
    /// with something due have run (a guard against a timeline that keeps scheduling itself).
    /// </summary>
    public IReadOnlyList<TimelineEvent> StepUntilIdle(int maxSteps = 100_000)
    {
        var events = new List<TimelineEvent>();
        for (int step = 0; step < maxSteps && Killer.NextDue().At is { } due; step++) events.AddRange(Killer.Step(due));
        return events;
    }
}
