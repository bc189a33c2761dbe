using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using OomTools.Engine.Timeline;

namespace OomTools.Engine.Html;

/// <summary>What a timeline chart shows and how big it is.</summary>
public sealed class TimelineSvgOptions
{
    /// <summary>The chart's heading (and its SVG title).</summary>
    public string Title { get; set; } = "Memory in use over time";
    /// <summary>Bytes per page, to label the axis in MiB; null: the events' own page size.</summary>
    public int? PageSize { get; set; }
    /// <summary>A dashed line at this many pages (the machine's RAM or a cgroup's limit); 0: none.</summary>
    public long LimitPages { get; set; }
    /// <summary>The width in pixels (200 to 10000).</summary>
    public int Width { get; set; } = 900;
    /// <summary>The height in pixels (150 to 10000).</summary>
    public int Height { get; set; } = 420;
}

/// <summary>
/// A line chart of a machine's memory in use over simulated time, as a standalone SVG document: a step line through
/// the <see cref="TimelineEvent.MemoryInUsePages"/> of the events (each value holds until the next event), axes in
/// seconds and MiB with steps of 1, 2 or 5 times a power of ten, an optional dashed limit line, and markers: red with
/// a "killed PID (comm)" label for every process an OOM killed, grey for an OOM that aborted (an earlier victim still
/// exiting), green for the oom_reaper's Reaped and orange for UnableToReap. Static SVG: no script, no external
/// references, every piece of text HTML-escaped, numbers in the invariant culture.
/// </summary>
public static class TimelineSvg
{
    private const int MarginLeft = 70, MarginRight = 20, MarginTop = 40, MarginBottom = 45, LabelRowHeight = 13;
    private const string LineColour = "#1f5fbf", KillColour = "#c62828", AbortColour = "#9e9e9e", ReapedColour = "#2e7d32", UnableColour = "#ef6c00";

    public static string Render(IEnumerable<TimelineEvent> events, TimelineSvgOptions options)
    {
        if (events is null) throw new ArgumentNullException(nameof(events));
        if (options is null) throw new ArgumentNullException(nameof(options));
        // Stable sort by time (OrderBy is stable): events of one jiffy stay in the order they happened.
        var points = events.Where(e => e is not null).OrderBy(e => e.Seconds).ToList();
        if (points.Count == 0) throw new OomEngineException(OomError.InvalidArgument, "There are no timeline events to chart.");
        if (options.Width < 200 || options.Width > 10000)
            throw new OomEngineException(OomError.InvalidArgument, $"The width must be 200 to 10000 pixels; {options.Width} is not.", options.Width);
        if (options.Height < 150 || options.Height > 10000)
            throw new OomEngineException(OomError.InvalidArgument, $"The height must be 150 to 10000 pixels; {options.Height} is not.", options.Height);
        if (options.LimitPages < 0)
            throw new OomEngineException(OomError.InvalidArgument, $"The limit must be 0 pages or more; {options.LimitPages} is not.", options.LimitPages);
        int pageSize = options.PageSize ?? PageSizeOf(points);
        if (pageSize < 512 || pageSize > (1 << 30))
            throw new OomEngineException(OomError.InvalidArgument, $"The page size must be 512 bytes to 1 GiB; {pageSize} is not.", pageSize);

        string title = options.Title ?? "";
        int width = options.Width, height = options.Height;
        long limit = options.LimitPages;
        double mib = pageSize / 1048576.0;

        double t0 = points[0].Seconds, t1 = points[points.Count - 1].Seconds;
        if (t1 <= t0) t1 = t0 + 1;
        double yMaxPages = Math.Max(limit, points.Max(p => p.MemoryInUsePages));
        if (yMaxPages <= 0) yMaxPages = 1;

        double yMax = yMaxPages * mib;
        double yStep = NiceStep(yMax, 5);
        double yTop = Math.Ceiling(yMax / yStep) * yStep;
        double xStep = NiceStep(t1 - t0, 8);
        double xLeft = Math.Floor(t0 / xStep) * xStep;
        double xRight = Math.Ceiling(t1 / xStep) * xStep;

        int ml = MarginLeft, mt = MarginTop;
        int pw = width - MarginLeft - MarginRight, ph = height - MarginTop - MarginBottom;
        double ToX(double seconds) => ml + (seconds - xLeft) / (xRight - xLeft) * pw;
        double ToY(double pages) => mt + ph - pages * mib / yTop * ph;

        var svg = new StringBuilder(4096 + points.Count * 40);
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(I(width)).Append("\" height=\"").Append(I(height))
           .Append("\" viewBox=\"0 0 ").Append(I(width)).Append(' ').Append(I(height)).Append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.Append("<title>").Append(E(title)).Append("</title>\n");
        svg.Append("<rect x=\"0\" y=\"0\" width=\"").Append(I(width)).Append("\" height=\"").Append(I(height)).Append("\" fill=\"white\"/>\n");
        svg.Append("<text x=\"").Append(N(width / 2.0)).Append("\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">").Append(E(title)).Append("</text>\n");

        // Grid and tick labels (i * step, not a running sum, so 0.6 is 0.6).
        for (int i = 0; i * yStep <= yTop + yStep / 2; i++)
        {
            double v = i * yStep, y = ToY(v / mib);
            svg.Append("<line x1=\"").Append(I(ml)).Append("\" y1=\"").Append(N(y)).Append("\" x2=\"").Append(I(ml + pw)).Append("\" y2=\"").Append(N(y)).Append("\" stroke=\"#e4e4e4\"/>\n");
            svg.Append("<text x=\"").Append(I(ml - 6)).Append("\" y=\"").Append(N(y + 4)).Append("\" text-anchor=\"end\">").Append(Tick(v, yStep)).Append("</text>\n");
        }
        for (int i = 0; xLeft + i * xStep <= xRight + xStep / 2; i++)
        {
            double s = xLeft + i * xStep, x = ToX(s);
            svg.Append("<line x1=\"").Append(N(x)).Append("\" y1=\"").Append(I(mt)).Append("\" x2=\"").Append(N(x)).Append("\" y2=\"").Append(I(mt + ph)).Append("\" stroke=\"#f0f0f0\"/>\n");
            svg.Append("<text x=\"").Append(N(x)).Append("\" y=\"").Append(I(mt + ph + 16)).Append("\" text-anchor=\"middle\">").Append(Tick(s, xStep)).Append("</text>\n");
        }
        svg.Append("<rect x=\"").Append(I(ml)).Append("\" y=\"").Append(I(mt)).Append("\" width=\"").Append(I(pw)).Append("\" height=\"").Append(I(ph)).Append("\" fill=\"none\" stroke=\"#888\"/>\n");
        svg.Append("<text x=\"").Append(N(ml + pw / 2.0)).Append("\" y=\"").Append(I(height - 8)).Append("\" text-anchor=\"middle\">seconds since boot</text>\n");
        string mid = N(mt + ph / 2.0);
        svg.Append("<text x=\"16\" y=\"").Append(mid).Append("\" text-anchor=\"middle\" transform=\"rotate(-90 16 ").Append(mid).Append(")\">MiB in use</text>\n");
        if (limit > 0)
        {
            double y = ToY(limit);
            svg.Append("<line x1=\"").Append(I(ml)).Append("\" y1=\"").Append(N(y)).Append("\" x2=\"").Append(I(ml + pw)).Append("\" y2=\"").Append(N(y)).Append("\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n");
            svg.Append("<text x=\"").Append(I(ml + pw - 4)).Append("\" y=\"").Append(N(y - 4)).Append("\" text-anchor=\"end\" fill=\"#555\">limit ").Append(N(limit * mib)).Append(" MiB</text>\n");
        }

        // Memory as a step line: each value holds until the next event.
        svg.Append("<path d=\"");
        string? prevY = null;
        foreach (var p in points)
        {
            string x = N(ToX(p.Seconds)), y = N(ToY(p.MemoryInUsePages));
            if (prevY is null) svg.Append('M').Append(x).Append(',').Append(y);
            else svg.Append(" L").Append(x).Append(',').Append(prevY).Append(" L").Append(x).Append(',').Append(y);
            prevY = y;
        }
        svg.Append("\" fill=\"none\" stroke=\"").Append(LineColour).Append("\" stroke-width=\"2\"/>\n");

        // Markers: kills (labelled), aborted OOMs, the reaper's results.
        int labelRow = 0, rows = Math.Max(1, (ph - 20) / LabelRowHeight);
        double lastLabelX = double.NegativeInfinity;
        foreach (var p in points)
        {
            double x = ToX(p.Seconds), y = ToY(p.MemoryInUsePages);
            string at = " at " + N(p.Seconds) + " s";
            var outcome = p.Outcome;
            if (p.Kind == TimelineEventKind.OutOfMemory && outcome is not null && outcome.Killed.Count > 0)
            {
                foreach (var k in outcome.Killed)
                {
                    // Labels near each other go on rows below one another.
                    labelRow = x - lastLabelX < 150 ? labelRow + 1 : 0;
                    lastLabelX = x;
                    int ly = mt + 14 + LabelRowHeight * (labelRow % rows);
                    string label = "killed " + I(k.Pid) + " (" + k.Comm + ")";
                    svg.Append("<line x1=\"").Append(N(x)).Append("\" y1=\"").Append(I(mt)).Append("\" x2=\"").Append(N(x)).Append("\" y2=\"").Append(I(mt + ph))
                       .Append("\" stroke=\"").Append(KillColour).Append("\" stroke-dasharray=\"3 3\"/>\n");
                    svg.Append("<circle cx=\"").Append(N(x)).Append("\" cy=\"").Append(N(y)).Append("\" r=\"5\" fill=\"").Append(KillColour).Append("\"><title>")
                       .Append(E(label + at)).Append("</title></circle>\n");
                    svg.Append("<text x=\"").Append(N(x + 4)).Append("\" y=\"").Append(I(ly)).Append("\" fill=\"").Append(KillColour).Append("\">").Append(E(label)).Append("</text>\n");
                }
            }
            else if (p.Kind == TimelineEventKind.OutOfMemory && outcome is not null && outcome.Aborted)
            {
                svg.Append("<circle cx=\"").Append(N(x)).Append("\" cy=\"").Append(N(y)).Append("\" r=\"3.5\" fill=\"").Append(AbortColour).Append("\"><title>")
                   .Append(E("OOM aborted" + at + ": an earlier victim is still exiting")).Append("</title></circle>\n");
            }
            else if (p.Kind is TimelineEventKind.Reaped or TimelineEventKind.UnableToReap)
            {
                bool reaped = p.Kind == TimelineEventKind.Reaped;
                string colour = reaped ? ReapedColour : UnableColour;
                string text = (reaped ? "reaped " : "unable to reap ") + I(p.Pid) + " (" + p.Name + ")";
                svg.Append("<rect x=\"").Append(N(x - 4)).Append("\" y=\"").Append(N(y - 4)).Append("\" width=\"8\" height=\"8\" fill=\"").Append(colour).Append("\"><title>")
                   .Append(E(text + at)).Append("</title></rect>\n");
                svg.Append("<text x=\"").Append(N(x + 6)).Append("\" y=\"").Append(N(y - 6)).Append("\" fill=\"").Append(colour).Append("\">").Append(E(text)).Append("</text>\n");
            }
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>The events' page size; events of machines with different page sizes cannot share an axis.</summary>
    private static int PageSizeOf(List<TimelineEvent> points)
    {
        int size = points[0].PageSize;
        foreach (var p in points)
            if (p.PageSize != size)
                throw new OomEngineException(OomError.InvalidArgument,
                    $"The events come from machines with different page sizes ({I(size)} and {I(p.PageSize)} bytes); chart one machine's events at a time, or give the page size.", p);
        return size;
    }

    /// <summary>A step of 1, 2 or 5 times a power of ten that cuts <paramref name="range"/> into about <paramref name="ticks"/> parts.</summary>
    internal static double NiceStep(double range, int ticks)
    {
        double raw = range / ticks;
        double pow = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (int m in new[] { 1, 2, 5 })
            if (m * pow >= raw) return m * pow;
        return 10 * pow;
    }

    private static string N(double x)
    {
        string s = x.ToString("0.##", CultureInfo.InvariantCulture);
        return s == "-0" ? "0" : s;
    }

    /// <summary>A tick label: two decimals at most, more only when the step is finer (0.005 s steps: 0.005, 0.01, 0.015).</summary>
    private static string Tick(double v, double step)
    {
        int decimals = (int)-Math.Floor(Math.Log10(step) + 1e-9);
        if (decimals <= 2) return N(v);
        string s = v.ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture);
        return s == "-0" ? "0" : s;
    }

    private static string I(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string E(string? text) => AuditReportHtml.E(text);
}
