using OomTools.Engine.Killer;
using OomTools.Engine.Model;

namespace OomTools.Engine.Timeline;

/// <summary>Reaches a machine's timeline as <c>machine.Timeline</c>, and an OOM's place on it (C#).</summary>
public static class TimelineExtensions
{
    extension(OomMachine machine)
    {
        /// <summary>The runner of this machine's simulated time.</summary>
        public TimelineRunner Timeline => new(machine);
    }

    extension(OomOutcome outcome)
    {
        /// <summary>This OOM as a timeline event (<see cref="TimelineEvent.Of"/>); PowerShell has the same as a type-data method.</summary>
        public TimelineEvent ToTimelineEvent() => TimelineEvent.Of(outcome);
    }
}
