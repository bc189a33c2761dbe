using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Charts;
using OomTools.Engine.Time;
using Xunit;

namespace OomTools.Engine.Tests.Timeline;

/// <summary>
/// TimelineChart: the memory-over-time chart as data, without SVG. The events are the storm of
/// <see cref="TimelineSvgTests.Storm"/>: an OOM kills hog at 0 s (25600 pages in use), hog's exit at 0.02 s
/// leaves 10240, the allocation then takes it to 12800.
/// </summary>
public class TimelineChartTests
{
    private static TimelineChart Chart(IEnumerable<TimelineEvent> events, long limit = 0, int? pageSize = null) =>
        TimelineChart.Build(events, new TimelineChartOptions { LimitPages = limit, PageSize = pageSize });

    [Fact]
    public void Build_PointsInTimeOrder_AndTheKillMarker()
    {
        var events = TimelineSvgTests.Storm();

        var chart = Chart(new[] { events[1], events[2], events[0] });

        Assert.Equal("Memory in use over time", chart.Title);
        Assert.Equal(4096, chart.PageSize);
        Assert.Equal(1.0 / 256, chart.MibPerPage);
        Assert.Equal(0, chart.LimitPages);
        Assert.Equal(new[] { 0.0, 0.02, 0.02 }, chart.Points.Select(p => p.Seconds));
        Assert.Equal(new long[] { 25600, 10240, 12800 }, chart.Points.Select(p => p.MemoryInUsePages));
        var kill = Assert.Single(chart.Markers);
        Assert.Equal((TimelineMarkerKind.Kill, 0.0, 25600L, 100, "hog"), (kill.Kind, kill.Seconds, kill.MemoryInUsePages, kill.Pid, kill.Name));
    }

    [Fact]
    public void Build_AxesHaveNiceSteps()
    {
        var chart = Chart(TimelineSvgTests.Storm());

        // 0 to 0.02 s in about 8 steps: 0.0025 -> 0.005. 100 MiB in about 5: 20.
        Assert.Equal((0.0, 0.02, 0.005), (chart.Time.Min, chart.Time.Max, chart.Time.Step));
        Assert.Equal(new[] { 0, 0.005, 0.01, 0.015, 0.02 }, chart.Time.Ticks.Select(t => Math.Round(t, 9)));
        Assert.Equal((0.0, 100.0, 20.0), (chart.Memory.Min, chart.Memory.Max, chart.Memory.Step));
        Assert.Equal(new[] { 0.0, 20, 40, 60, 80, 100 }, chart.Memory.Ticks);

        // A limit of 51200 pages (200 MiB) raises the memory axis: 200 / 5 = 40 -> 50.
        var limited = Chart(TimelineSvgTests.Storm(), limit: 51200);
        Assert.Equal(51200, limited.LimitPages);
        Assert.Equal(new[] { 0.0, 50, 100, 150, 200 }, limited.Memory.Ticks);
    }

    [Fact]
    public void Build_AbortedOom_AndTheReapersResults()
    {
        // The stuck hog: the second OOM aborts at 100 s, the reaper gives up at 103 s.
        var events = TimelineSvgTests.StuckHog();

        var chart = Chart(events);

        Assert.Equal(new[] { TimelineMarkerKind.Kill, TimelineMarkerKind.OomAborted, TimelineMarkerKind.UnableToReap }, chart.Markers.Select(k => k.Kind));
        Assert.Equal(new[] { 100.0, 100.0, 103.0 }, chart.Markers.Select(k => k.Seconds));
        Assert.Equal(new[] { 100, 100 }, chart.Markers.Where(k => k.Kind != TimelineMarkerKind.OomAborted).Select(k => k.Pid));
    }

    [Fact]
    public void Build_Refusals()
    {
        Assert.Equal("There are no timeline events to chart.",
            Assert.Throws<OomEngineException>(() => Chart(new TimelineEvent[] { null! })).Message);
        Assert.Equal(OomError.InvalidArgument, Assert.Throws<OomEngineException>(() => Chart(TimelineSvgTests.Storm(), limit: -1)).Error);
        Assert.Equal(OomError.InvalidArgument, Assert.Throws<OomEngineException>(() => Chart(TimelineSvgTests.Storm(), pageSize: 256)).Error);
        var mixed = TimelineSvgTests.Storm().Concat(TimelineSvgTests.Storm(pageSize: 65536));
        Assert.Contains("different page sizes (4096 and 65536 bytes)", Assert.Throws<OomEngineException>(() => Chart(mixed)).Message, StringComparison.Ordinal);
        Assert.Equal(65536, Chart(TimelineSvgTests.Storm().Concat(TimelineSvgTests.Storm(pageSize: 65536)), pageSize: 65536).PageSize);
        Assert.Throws<ArgumentNullException>(() => TimelineChart.Build(null!, new TimelineChartOptions()));
        Assert.Throws<ArgumentNullException>(() => TimelineChart.Build(TimelineSvgTests.Storm(), null!));
    }
}
