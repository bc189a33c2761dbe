using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using OomTools.Engine.Charts;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using OomTools.Engine.Units;
using OomTools.Engine.Writers;
using Xunit;

namespace OomTools.Engine.Tests.Timeline;

/// <summary>
/// TimelineSvg: the memory-over-time chart of timeline events (Export-OomTimelineChart). The default chart is
/// 900 x 420 with margins 70 left, 20 right, 40 top, 45 bottom: the plot runs x 70..880 (810 wide) and y 40..375
/// (335 high). Every expected coordinate below is worked out by hand from those numbers.
/// </summary>
public class TimelineSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private const string Red = "#c62828", Grey = "#9e9e9e", Green = "#2e7d32", Orange = "#ef6c00";

    /// <summary>
    /// 25600 pages of RAM (100 MiB at 4096 bytes), clock at 0: hog (15360) and grower (7680) use 23040. grower asks
    /// for 5120: 2560 fit (25600 in use), a global OOM kills hog (15360 points against 10240), hog exits 5 jiffies
    /// later (20 ms at HZ=250: 10240 in use) and grower gets its other 2560 (12800).
    /// </summary>
    internal static List<TimelineEvent> Storm(string hogName = "hog", int pageSize = 4096)
    {
        var m = TestMachines.Machine(ram: 25600, clock: new ManualClock(0), pageSize: pageSize);
        m.Add(100, anon: 15360, name: hogName);
        var grower = m.Add(101, anon: 7680, name: "grower");
        var events = m.PageAllocator.Allocate(grower, new Pages(5120)).ToList();
        Assert.Equal(new[] { TimelineEventKind.OutOfMemory, TimelineEventKind.Exit, TimelineEventKind.Allocated }, events.Select(e => e.Kind));
        Assert.Equal(new[] { 0.0, 0.02, 0.02 }, events.Select(e => e.Seconds));
        Assert.Equal(new long[] { 25600, 10240, 12800 }, events.Select(e => e.MemoryInUsePages));
        return events;
    }

    /// <summary>
    /// The stuck hog of ReaperTimelineTests: mmap_lock held for 5 s from the kill at 100 s. The next OOM aborts;
    /// the reaper tries from 102 s and gives up at 103 s.
    /// </summary>
    internal static List<TimelineEvent> StuckHog()
    {
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, name: "hog");
        m.Add(101, anon: 10, name: "small");
        hog.Mm!.MmapLockReleaseAt = 25000 + 1250;
        var events = new List<TimelineEvent> { m.Killer.Invoke(TestMachines.Global()).ToTimelineEvent() };
        events.Add(m.Killer.Invoke(TestMachines.Global()).ToTimelineEvent());
        events.AddRange(m.Timeline.Step(25000 + 750));
        return events;
    }

    private static XElement Parse(string svg) => XDocument.Parse(svg).Root!;

    private static string[] Texts(XElement root) => root.Elements(Svg + "text").Select(t => t.Value).ToArray();

    private static string? Title(XElement e) => e.Element(Svg + "title")?.Value;

    [Fact]
    public void Render_NoEvents_IsAnInvalidArgument()
    {
        var ex = Assert.Throws<OomEngineException>(() => TimelineSvg.Render(Array.Empty<TimelineEvent>(), new TimelineSvgOptions()));
        Assert.Equal(OomError.InvalidArgument, ex.Error);
        Assert.Equal("There are no timeline events to chart.", ex.Message);
        Assert.Equal(OomError.InvalidArgument,
            Assert.Throws<OomEngineException>(() => TimelineSvg.Render(new TimelineEvent[] { null! }, new TimelineSvgOptions())).Error);
        Assert.Throws<ArgumentNullException>(() => TimelineSvg.Render(null!, new TimelineSvgOptions()));
        Assert.Throws<ArgumentNullException>(() => TimelineSvg.Render(Storm(), null!));
    }

    [Theory]
    [InlineData(199, 420, 0, null)]
    [InlineData(10001, 420, 0, null)]
    [InlineData(900, 149, 0, null)]
    [InlineData(900, 420, -1, null)]
    [InlineData(900, 420, 0, 256)]
    public void Render_OptionsOutOfRange_AreInvalidArguments(int width, int height, long limit, int? pageSize)
    {
        var ex = Assert.Throws<OomEngineException>(() => TimelineSvg.Render(Storm(),
            new TimelineSvgOptions { Width = width, Height = height, LimitPages = limit, PageSize = pageSize }));
        Assert.Equal(OomError.InvalidArgument, ex.Error);
    }

    [Fact]
    public void Render_OfTheChart_IsTheSvgOfTheEvents()
    {
        var options = new TimelineSvgOptions { LimitPages = 30000, Title = "t", Width = 640, Height = 300 };
        var chart = TimelineChart.Build(Storm(), options);

        Assert.Equal(TimelineSvg.Render(Storm(), options), TimelineSvg.Render(chart, 640, 300));
        Assert.Equal(TimelineSvg.Render(Storm(), new TimelineSvgOptions()), TimelineSvg.Render(TimelineChart.Build(Storm(), new TimelineChartOptions())));
        Assert.Equal(OomError.InvalidArgument, Assert.Throws<OomEngineException>(() => TimelineSvg.Render(chart, 199, 300)).Error);
        Assert.Equal(OomError.InvalidArgument, Assert.Throws<OomEngineException>(() => TimelineSvg.Render(chart, 640, 10001)).Error);
        Assert.Throws<ArgumentNullException>(() => TimelineSvg.Render((TimelineChart)null!));
    }

    [Fact]
    public void Render_IsWellFormedStaticSvg()
    {
        string text = TimelineSvg.Render(Storm(), new TimelineSvgOptions());
        var root = Parse(text);

        Assert.Equal(Svg + "svg", root.Name);
        Assert.Equal("900", (string?)root.Attribute("width"));
        Assert.Equal("420", (string?)root.Attribute("height"));
        Assert.Equal("0 0 900 420", (string?)root.Attribute("viewBox"));
        Assert.Equal(new[] { "circle", "g", "line", "path", "rect", "svg", "text", "title" },
            root.DescendantsAndSelf().Select(e => e.Name.LocalName).Distinct().OrderBy(n => n, StringComparer.Ordinal));
        Assert.DoesNotContain(root.DescendantsAndSelf().Attributes(),
            a => a.Name.LocalName.StartsWith("on", StringComparison.OrdinalIgnoreCase) || a.Name.LocalName.Contains("href"));
        Assert.Equal("Memory in use over time", Title(root));
        Assert.EndsWith("</svg>\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MemoryIsAStepLineThroughEveryEvent()
    {
        var root = Parse(TimelineSvg.Render(Storm(), new TimelineSvgOptions()));

        // y axis: 100 MiB at most, step 20 (100/5), top 100. x axis: 0 to 0.02 s, step 0.005 (0.02/8 = 0.0025 -> 5e-3).
        // 25600 pages (100 MiB) -> y 40; 10240 (40 MiB) -> 375 - 0.4*335 = 241; 12800 (50 MiB) -> 207.5.
        var path = Assert.Single(root.Elements(Svg + "path"));
        Assert.Equal("M70,40 L880,40 L880,241 L880,241 L880,207.5", (string?)path.Attribute("d"));
        Assert.Equal("#1f5fbf", (string?)path.Attribute("stroke"));
    }

    [Fact]
    public void Render_AxesHaveNiceSteps_AndFineStepsKeepTheirDecimals()
    {
        var texts = Texts(Parse(TimelineSvg.Render(Storm(), new TimelineSvgOptions())));

        // Title, y ticks 0..100 by 20, x ticks 0..0.02 by 0.005 (three decimals: 0.005 is not 0.01), axis names, label.
        Assert.Equal(new[]
        {
            "Memory in use over time",
            "0", "20", "40", "60", "80", "100",
            "0", "0.005", "0.01", "0.015", "0.02",
            "time since boot (s)", "memory in use (MiB)", "killed 100 (hog)",
        }, texts);
    }

    private static XElement Legend(XElement root) =>
        Assert.Single(root.Elements(Svg + "g"), g => (string?)g.Attribute("class") == "legend");

    [Fact]
    public void Render_HasALegendOfWhatItDraws_AboveThePlot()
    {
        // Issue 11: the chart said nothing of what its line, dashes, dots and squares are.
        var root = Parse(TimelineSvg.Render(Storm(), new TimelineSvgOptions()));
        var legend = Legend(root);
        Assert.Equal(new[] { "memory in use (MiB)", "process killed by an OOM" }, legend.Elements(Svg + "text").Select(t => t.Value));
        // Each name has its sample in the chart's colours: the line's blue and the kill's red dot.
        Assert.Equal("#1f5fbf", (string?)legend.Element(Svg + "line")!.Attribute("stroke"));
        Assert.Equal(Red, (string?)legend.Element(Svg + "circle")!.Attribute("fill"));
        // In the top margin (the plot starts at y 40), under the title, from the plot's left edge.
        Assert.All(legend.Elements(Svg + "text"), t => Assert.True(double.Parse((string)t.Attribute("y")!, CultureInfo.InvariantCulture) is > 17 and <= 40));
        Assert.Equal("92", (string?)legend.Elements(Svg + "text").First().Attribute("x"));

        // A limit, an aborted OOM and the reaper giving up each get their entry; the reaped square only when drawn.
        var stuck = Legend(Parse(TimelineSvg.Render(StuckHog(), new TimelineSvgOptions { LimitPages = 1000000 })));
        Assert.Equal(new[] { "memory in use (MiB)", "limit", "process killed by an OOM", "OOM aborted (a victim still exiting)", "the oom_reaper gave up" },
            stuck.Elements(Svg + "text").Select(t => t.Value));
        Assert.Equal(Grey, (string?)stuck.Elements(Svg + "circle").Last().Attribute("fill"));
        Assert.Equal(Orange, (string?)Assert.Single(stuck.Elements(Svg + "rect")).Attribute("fill"));
        Assert.Equal("6 4", (string?)stuck.Elements(Svg + "line").Last().Attribute("stroke-dasharray"));

        // 640 px wide: the long names (about 810 px) do not fit the 550 px plot, the short ones do.
        var narrow = Legend(Parse(TimelineSvg.Render(StuckHog(), new TimelineSvgOptions { LimitPages = 1000000, Width = 640 })));
        Assert.Equal(new[] { "memory (MiB)", "limit", "killed", "OOM aborted", "reaper gave up" }, narrow.Elements(Svg + "text").Select(t => t.Value));
        Assert.True(double.Parse((string)narrow.Elements(Svg + "text").Last().Attribute("x")!, CultureInfo.InvariantCulture) + 14 * 6 < 620);
    }

    [Fact]
    public void Render_AxesAreNamedWithTheirUnits_GiBForBigMachines()
    {
        // Issue 11: every picture labels its axes with the right unit.
        var texts = Texts(Parse(TimelineSvg.Render(Storm(), new TimelineSvgOptions())));
        Assert.Contains("time since boot (s)", texts);
        Assert.Contains("memory in use (MiB)", texts);

        // An 8 GiB limit (2097152 pages of 4 KiB): the axis counts GiB, 0 to 8 by 2, and so do the limit and the legend.
        var chart = TimelineChart.Build(Storm(), new TimelineChartOptions { LimitPages = 2097152 });
        Assert.Equal("GiB", chart.MemoryUnit);
        Assert.Equal(new[] { 0.0, 2, 4, 6, 8 }, chart.Memory.Ticks);
        var root = Parse(TimelineSvg.Render(Storm(), new TimelineSvgOptions { LimitPages = 2097152 }));
        texts = Texts(root);
        Assert.Contains("memory in use (GiB)", texts);
        Assert.Contains("limit 8 GiB", texts);
        Assert.Equal(new[] { "0", "2", "4", "6", "8" }, texts.Skip(1).Take(5));
        Assert.Equal("memory in use (GiB)", Legend(root).Elements(Svg + "text").First().Value);
        // 100 MiB in use is 100/8192 of the way up: y 375 - 335 * 100 / 8192 = 370.91.
        Assert.StartsWith("M70,370.91 ", (string?)root.Element(Svg + "path")!.Attribute("d"), StringComparison.Ordinal);
        // Just under 4 GiB stays in MiB.
        Assert.Equal("MiB", TimelineChart.Build(Storm(), new TimelineChartOptions { LimitPages = 1048575 }).MemoryUnit);
    }

    [Fact]
    public void Render_AxesOverSeconds_UseTwoDecimalsAtMost()
    {
        // The reaper scenario: 100 s to 102.5 s (HZ=250 from 100 s). 2.5 s / 8 = 0.3125 -> step 0.5: 100, 100.5, ... 102.5.
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, name: "hog");
        m.Add(101, anon: 10, name: "small");
        hog.ExitLatencyJiffies = 625;                                  // 2.5 s: reaped at 2 s, exits at 2.5 s
        var events = new List<TimelineEvent> { m.Killer.Invoke(TestMachines.Global()).ToTimelineEvent() };
        events.AddRange(m.Timeline.Step(25000 + 625));

        var root = Parse(TimelineSvg.Render(events, new TimelineSvgOptions()));

        // The x tick labels sit at y 40 + 335 + 16 = 391.
        Assert.Equal(new[] { "100", "100.5", "101", "101.5", "102", "102.5" },
            root.Elements(Svg + "text").Where(t => (string?)t.Attribute("y") == "391").Select(t => t.Value));
    }

    [Fact]
    public void Render_KillsGetARedMarkerLineAndLabel()
    {
        var root = Parse(TimelineSvg.Render(Storm(), new TimelineSvgOptions()));

        var circle = Assert.Single(root.Elements(Svg + "circle"));
        Assert.Equal(Red, (string?)circle.Attribute("fill"));
        Assert.Equal("70", (string?)circle.Attribute("cx"));
        Assert.Equal("40", (string?)circle.Attribute("cy"));
        Assert.Equal("killed 100 (hog) at 0 s", Title(circle));
        var line = Assert.Single(root.Elements(Svg + "line"), l => (string?)l.Attribute("stroke") == Red);
        Assert.Equal("3 3", (string?)line.Attribute("stroke-dasharray"));
        var label = Assert.Single(root.Elements(Svg + "text"), t => (string?)t.Attribute("fill") == Red);
        Assert.Equal("killed 100 (hog)", label.Value);
        Assert.Equal("74", (string?)label.Attribute("x"));
        Assert.Equal("54", (string?)label.Attribute("y"));             // 40 + 14, the first row
    }

    [Fact]
    public void Render_ProcessesKilledTogetherAreLabelledOnRowsBelowOneAnother()
    {
        // memory.oom.group: one OOM in /app kills all three of its processes.
        var m = TestMachines.Machine();
        var app = m.CreateCgroup("/app", memoryMax: new Pages(1000), oomGroup: true);
        m.Add(200, anon: 400, name: "a", cgroup: "/app");
        m.Add(201, anon: 300, name: "b", cgroup: "/app");
        m.Add(202, anon: 300, name: "c", cgroup: "/app");
        var o = m.Killer.Invoke(TestMachines.ForMemcg(app));
        Assert.Equal(3, o.Killed.Count);

        var root = Parse(TimelineSvg.Render(new[] { o.ToTimelineEvent() }, new TimelineSvgOptions()));

        var labels = root.Elements(Svg + "text").Where(t => (string?)t.Attribute("fill") == Red).ToList();
        Assert.Equal(new[] { "54", "67", "80" }, labels.Select(t => (string?)t.Attribute("y")));   // 13 px apart
        Assert.Equal(3, root.Elements(Svg + "circle").Count());
        Assert.Equal(new[] { "killed 200 (a)", "killed 201 (b)", "killed 202 (c)" }, labels.Select(t => t.Value).OrderBy(s => s, StringComparer.Ordinal));
    }

    [Fact]
    public void Render_EscapesNamesAndTitle_ControlCharactersBecomeReplacementCharacters()
    {
        string text = TimelineSvg.Render(Storm(hogName: "a<b>&'\"c\u0001"), new TimelineSvgOptions { Title = "</title><script>alert(1)</script>" });

        Assert.Contains("killed 100 (a&lt;b&gt;&amp;&#39;&quot;c\uFFFD)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", text, StringComparison.Ordinal);
        Assert.DoesNotContain("a<b>", text, StringComparison.Ordinal);
        var root = Parse(text);                                          // well-formed despite the name
        Assert.Equal("</title><script>alert(1)</script>", Title(root));
        Assert.Equal("</title><script>alert(1)</script>", Texts(root)[0]);
        Assert.Contains("killed 100 (a<b>&'\"c\uFFFD)", Texts(root));
        Assert.Empty(root.Descendants(Svg + "script"));
    }

    [Fact]
    public void Render_LimitLine_RaisesTheAxisAndIsLabelledInMiB()
    {
        // 51200 pages = 200 MiB: the axis goes to 200 (step 50: 200/5 = 40 -> 50); the limit is at the top (y 40).
        var root = Parse(TimelineSvg.Render(Storm(), new TimelineSvgOptions { LimitPages = 51200 }));

        var limit = Assert.Single(root.Elements(Svg + "line"), l => (string?)l.Attribute("stroke-dasharray") == "6 4");
        Assert.Equal("40", (string?)limit.Attribute("y1"));
        Assert.Equal("40", (string?)limit.Attribute("y2"));
        var label = Assert.Single(root.Elements(Svg + "text"), t => t.Value.StartsWith("limit", StringComparison.Ordinal));
        Assert.Equal("limit 200 MiB", label.Value);
        Assert.Equal("36", (string?)label.Attribute("y"));
        Assert.Equal(new[] { "0", "50", "100", "150", "200" }, Texts(root).Skip(1).Take(5));
        // 100 MiB in use is now half way: y 375 - 0.5*335 = 207.5.
        Assert.StartsWith("M70,207.5 ", (string?)root.Element(Svg + "path")!.Attribute("d"), StringComparison.Ordinal);

        Assert.DoesNotContain(Parse(TimelineSvg.Render(Storm(), new TimelineSvgOptions())).Elements(Svg + "line"),
            l => (string?)l.Attribute("stroke-dasharray") == "6 4");
    }

    [Fact]
    public void Render_PageSizeComesFromTheEvents_UnlessGiven()
    {
        var events = Storm(pageSize: 65536);
        Assert.All(events, e => Assert.Equal(65536, e.PageSize));

        // 100 pages of 64 KiB = 6.25 MiB; of 4 KiB = 0.390625 -> 0.39 MiB.
        Assert.Contains(">limit 6.25 MiB</text>", TimelineSvg.Render(events, new TimelineSvgOptions { LimitPages = 100 }), StringComparison.Ordinal);
        Assert.Contains(">limit 0.39 MiB</text>", TimelineSvg.Render(events, new TimelineSvgOptions { LimitPages = 100, PageSize = 4096 }), StringComparison.Ordinal);
        // 25600 pages of 64 KiB = 1600 MiB: ticks by 500 (1600/5 = 320 -> 500) to 2000.
        Assert.Equal(new[] { "0", "500", "1000", "1500", "2000" }, Texts(Parse(TimelineSvg.Render(events, new TimelineSvgOptions()))).Skip(1).Take(5));
    }

    [Fact]
    public void Render_EventsOfDifferentPageSizes_AreRefusedUnlessThePageSizeIsGiven()
    {
        var mixed = Storm().Concat(Storm(pageSize: 65536)).ToList();

        var ex = Assert.Throws<OomEngineException>(() => TimelineSvg.Render(mixed, new TimelineSvgOptions()));
        Assert.Equal(OomError.InvalidArgument, ex.Error);
        Assert.Contains("different page sizes (4096 and 65536 bytes)", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(TimelineSvg.Render(mixed, new TimelineSvgOptions { PageSize = 4096 }));
    }

    [Fact]
    public void Render_AbortedOomIsGrey_ReapedGreen_UnableToReapOrange()
    {
        var events = StuckHog();
        Assert.Contains(events, e => e.Kind == TimelineEventKind.UnableToReap);

        var root = Parse(TimelineSvg.Render(events, new TimelineSvgOptions()));

        var grey = Assert.Single(root.Elements(Svg + "circle"), c => (string?)c.Attribute("fill") == Grey);
        Assert.Equal("OOM aborted at 100 s: an earlier victim is still exiting", Title(grey));
        Assert.Equal("3.5", (string?)grey.Attribute("r"));
        var orange = Assert.Single(root.Elements(Svg + "rect"), r => (string?)r.Attribute("fill") == Orange);
        Assert.Equal("unable to reap 100 (hog) at 103 s", Title(orange));
        Assert.Contains("unable to reap 100 (hog)", Texts(root));
        Assert.DoesNotContain(root.Elements(Svg + "rect"), r => (string?)r.Attribute("fill") == Green);

        // Released at 101 s instead: reaped at 102 s.
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, name: "hog");
        m.Add(101, anon: 10, name: "small");
        hog.Mm!.MmapLockReleaseAt = 25000 + 250;
        hog.ExitLatencyJiffies = 1000;
        events = new List<TimelineEvent> { m.Killer.Invoke(TestMachines.Global()).ToTimelineEvent() };
        events.AddRange(m.Timeline.Step(25000 + 500));
        root = Parse(TimelineSvg.Render(events, new TimelineSvgOptions()));
        var green = Assert.Single(root.Elements(Svg + "rect"), r => (string?)r.Attribute("fill") == Green);
        Assert.Equal("reaped 100 (hog) at 102 s", Title(green));
        Assert.Equal("8", (string?)green.Attribute("width"));
    }

    [Fact]
    public void Render_NumbersAreInvariantWhateverTheCulture()
    {
        var events = Storm();
        var options = new TimelineSvgOptions { LimitPages = 100 };
        string invariant = TimelineSvg.Render(events, options);
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal("0,5", 0.5.ToString(CultureInfo.CurrentCulture));
            Assert.Equal(invariant, TimelineSvg.Render(events, options));
        }
        finally { CultureInfo.CurrentCulture = saved; }
        Assert.Contains("M70,40 L880,40 L880,241 L880,241 L880,207.5", invariant, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SortsByTime_KeepingTheOrderOfEventsOfOneJiffy()
    {
        var events = Storm();
        string inOrder = TimelineSvg.Render(events, new TimelineSvgOptions());

        Assert.Equal(inOrder, TimelineSvg.Render(new[] { events[1], events[2], events[0] }, new TimelineSvgOptions()));
        // Exit (10240) and Allocated (12800) swapped within 0.02 s: the line ends at the allocation's value no more.
        Assert.NotEqual(inOrder, TimelineSvg.Render(new[] { events[0], events[2], events[1] }, new TimelineSvgOptions()));
    }

    [Fact]
    public void ToTimelineEvent_IsTheOomAsInvokeOomAllocationRecordsIt_AndChangesNothing()
    {
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, shmem: 2, name: "hog");
        var small = m.Add(101, anon: 10, name: "small");
        Assert.Null(m.UsedPages);
        var o = m.Killer.Invoke(TestMachines.Global(current: small));
        Assert.Null(m.UsedPages);                                        // capturing the memory in use started no counter
        m.Timeline.Step(25000 + 10);                                       // hog exits; the event keeps the time of the OOM

        var e = o.ToTimelineEvent();

        Assert.Equal(TimelineEventKind.OutOfMemory, e.Kind);
        Assert.Same(o, e.Outcome);
        Assert.Equal(25000, e.Jiffies);
        Assert.Equal(100.0, e.Seconds);
        Assert.Equal(5012, e.MemoryInUsePages);                          // 5000 + 2 + 10: the victim has not exited yet
        Assert.Equal(4096, e.PageSize);
        Assert.Equal(101, e.Pid);
        Assert.Equal("small", e.Name);
        Assert.Equal("global OOM: Killed 100 (hog) with 5002 points of 1000000 pages.", e.Text);
        Assert.Equal(0, e.Pages);

        // A memcg OOM without a current task: the kworker, and the cgroup in the text.
        var m2 = TestMachines.Machine();
        var app = m2.CreateCgroup("/app", memoryMax: new Pages(1000));
        m2.Add(200, anon: 600, name: "big", cgroup: "/app");
        var e2 = m2.Killer.Invoke(TestMachines.ForMemcg(app)).ToTimelineEvent();
        Assert.Equal(0, e2.Pid);
        Assert.Equal(OomKiller.KernelWorkerComm, e2.Name);
        Assert.StartsWith("memcg /app OOM: Killed 200 (big)", e2.Text, StringComparison.Ordinal);
    }
}
