using System.Collections.Generic;
using System.Globalization;
using OomTools.Engine.Timeline;

namespace OomTools.Engine.PageAlloc;

/// <summary>
/// What an allocation did, in a few events instead of one per tick: each OOM it ran into (its outcome attached) and
/// how it ended. A leak at a <c>-Rate</c> charges in ticks of about 10 ms, hundreds of Allocated events a few seconds;
/// the exits and reaper work between them are the timeline's, shown with every tick when asked for.
/// </summary>
public static class AllocationSummary
{
    /// <summary>
    /// The OutOfMemory events of <paramref name="events"/> (what <see cref="PageAllocator.Allocate(Model.OomTask, Units.Pages, Units.Pages?)"/>
    /// returned), in order, then the final result: the last event when the allocation failed, was killed or waits in a
    /// memcg OOM; otherwise one Allocated event for all the pages charged, at the time the last of them was.
    /// </summary>
    public static IReadOnlyList<TimelineEvent> Summarize(IReadOnlyList<TimelineEvent> events, int hz)
    {
        var result = new List<TimelineEvent>();
        if (events is null || events.Count == 0) return result;
        long allocated = 0;
        int ticks = 0;
        TimelineEvent? firstAllocated = null;
        foreach (var e in events)
        {
            if (e.Kind == TimelineEventKind.OutOfMemory) result.Add(e);
            if (e.Kind != TimelineEventKind.Allocated) continue;
            allocated += e.Pages;
            ticks++;
            firstAllocated ??= e;
        }
        var last = events[events.Count - 1];
        if (last.Kind != TimelineEventKind.Allocated || ticks == 1) { if (last.Kind != TimelineEventKind.OutOfMemory) result.Add(last); return result; }
        // "allocated 100 pages (25600 of 25600)": the last tick's running total is the whole allocation's.
        int open = last.Text.LastIndexOf('(');
        string total = open >= 0 ? " " + last.Text.Substring(open) : "";
        string text = string.Format(CultureInfo.InvariantCulture, "allocated {0} pages in {1} steps from {2:0.###} s to {3:0.###} s{4}",
            allocated, ticks, firstAllocated!.Seconds, last.Seconds, total);
        result.Add(new TimelineEvent(last.At, hz, last.PageSize, TimelineEventKind.Allocated, last.Pid, last.Name, allocated, text, last.MemoryInUsePages));
        return result;
    }
}
