using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OomTools.Engine.Timeline;

namespace OomTools.Engine.Charts;

/// <summary>
/// The memory-over-time chart of a machine's timeline events, as data: a step line through the
/// <see cref="TimelineEvent.MemoryInUsePages"/> of the events in time order (each value holds until the next
/// event), a time axis in seconds and a memory axis in MiB (GiB from <see cref="GibAxisFromMib"/> up) with steps
/// of 1, 2 or 5 times a power of ten, an optional limit, and markers for every process an OOM killed, every OOM that aborted and every result of the
/// oom_reaper. Writers (SVG today) draw it.
/// </summary>
public sealed class TimelineChart
{
    /// <summary>From this many MiB at the top of the memory axis up, the axis counts GiB: 0, 2, 4, 6, 8 GiB reads better than 0, 2000, ... 8000 MiB.</summary>
    public const double GibAxisFromMib = 4096;

    private TimelineChart(string title, int pageSize, string memoryUnit, long limitPages, IReadOnlyList<TimelineChartPoint> points,
        ChartAxis time, ChartAxis memory, IReadOnlyList<TimelineMarker> markers)
    {
        Title = title;
        PageSize = pageSize;
        MemoryUnit = memoryUnit;
        LimitPages = limitPages;
        Points = points;
        Time = time;
        Memory = memory;
        Markers = markers;
    }

    /// <summary>
    /// The chart of <paramref name="events"/> (nulls skipped, any order: they are sorted by time, events of one
    /// jiffy keeping the order they came in).
    /// </summary>
    public static TimelineChart Build(IEnumerable<TimelineEvent> events, TimelineChartOptions options)
    {
        if (events is null) throw new ArgumentNullException(nameof(events));
        if (options is null) throw new ArgumentNullException(nameof(options));
        // OrderBy is stable: events of one jiffy stay in the order they happened.
        var sorted = events.Where(e => e is not null).OrderBy(e => e.Seconds).ToList();
        if (sorted.Count == 0) throw new OomEngineException(OomError.InvalidArgument, "There are no timeline events to chart.");
        if (options.LimitPages < 0)
            throw new OomEngineException(OomError.InvalidArgument, $"The limit must be 0 pages or more; {options.LimitPages} is not.", options.LimitPages);
        int pageSize = options.PageSize ?? PageSizeOf(sorted);
        if (pageSize < 512 || pageSize > (1 << 30))
            throw new OomEngineException(OomError.InvalidArgument, $"The page size must be 512 bytes to 1 GiB; {pageSize} is not.", pageSize);

        long limit = options.LimitPages;
        double t0 = sorted[0].Seconds, t1 = sorted[sorted.Count - 1].Seconds;
        if (t1 <= t0) t1 = t0 + 1;
        double yMaxPages = Math.Max(limit, sorted.Max(p => p.MemoryInUsePages));
        if (yMaxPages <= 0) yMaxPages = 1;

        double yMaxMib = yMaxPages * (pageSize / 1048576.0);
        bool gib = yMaxMib >= GibAxisFromMib;
        return new TimelineChart(options.Title ?? "", pageSize, gib ? "GiB" : "MiB", limit,
            sorted.ConvertAll(e => new TimelineChartPoint(e.Seconds, e.MemoryInUsePages)),
            ChartAxis.Spanning(t0, t1, 8),
            ChartAxis.FromZero(gib ? yMaxMib / 1024 : yMaxMib, 5),
            MarkersOf(sorted));
    }

    /// <summary>The chart's heading.</summary>
    public string Title { get; }
    /// <summary>Bytes per page: what the points and the limit count in.</summary>
    public int PageSize { get; }
    /// <summary>MiB per page.</summary>
    public double MibPerPage => PageSize / 1048576.0;
    /// <summary>The unit of <see cref="Memory"/>: "MiB", or "GiB" when the axis reaches <see cref="GibAxisFromMib"/>.</summary>
    public string MemoryUnit { get; }
    /// <summary><see cref="MemoryUnit"/>s per page, to read the points against <see cref="Memory"/>.</summary>
    public double UnitsPerPage => MemoryUnit == "GiB" ? PageSize / 1073741824.0 : MibPerPage;
    /// <summary>The limit line in pages; 0: none.</summary>
    public long LimitPages { get; }
    /// <summary>The memory in use after each event, in time order.</summary>
    public IReadOnlyList<TimelineChartPoint> Points { get; }
    /// <summary>The time axis, in seconds since boot.</summary>
    public ChartAxis Time { get; }
    /// <summary>The memory axis from 0, in <see cref="MemoryUnit"/>.</summary>
    public ChartAxis Memory { get; }
    /// <summary>The marked events in time order; the processes one OOM killed in the order it killed them.</summary>
    public IReadOnlyList<TimelineMarker> Markers { get; }

    private static List<TimelineMarker> MarkersOf(List<TimelineEvent> events)
    {
        var markers = new List<TimelineMarker>();
        foreach (var e in events)
        {
            var outcome = e.Outcome;
            if (e.Kind == TimelineEventKind.OutOfMemory && outcome is not null && outcome.AllKilled.Count > 0)
            {
                foreach (var k in outcome.AllKilled)
                    markers.Add(new TimelineMarker(TimelineMarkerKind.Kill, e.Seconds, e.MemoryInUsePages, k.Pid, k.Comm));
            }
            else if (e.Kind == TimelineEventKind.OutOfMemory && outcome is not null && outcome.Aborted)
                markers.Add(new TimelineMarker(TimelineMarkerKind.OomAborted, e.Seconds, e.MemoryInUsePages, e.Pid, e.Name));
            else if (e.Kind is TimelineEventKind.Reaped or TimelineEventKind.UnableToReap)
                markers.Add(new TimelineMarker(e.Kind == TimelineEventKind.Reaped ? TimelineMarkerKind.Reaped : TimelineMarkerKind.UnableToReap,
                    e.Seconds, e.MemoryInUsePages, e.Pid, e.Name));
        }
        return markers;
    }

    /// <summary>The events' page size; events of machines with different page sizes cannot share an axis.</summary>
    private static int PageSizeOf(List<TimelineEvent> events)
    {
        int size = events[0].PageSize;
        foreach (var e in events)
            if (e.PageSize != size)
                throw new OomEngineException(OomError.InvalidArgument,
                    $"The events come from machines with different page sizes ({I(size)} and {I(e.PageSize)} bytes); chart one machine's events at a time, or give the page size.", e);
        return size;
    }

    private static string I(long n) => n.ToString(CultureInfo.InvariantCulture);
}
