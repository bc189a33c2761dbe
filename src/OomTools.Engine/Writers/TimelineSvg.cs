using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using OomTools.Engine.Charts;
using OomTools.Engine.Timeline;

namespace OomTools.Engine.Writers;

/// <summary>
/// Writes a <see cref="TimelineChart"/> as a standalone SVG document: the memory line as steps, grid and tick
/// labels on both axes named with their units ("time since boot (s)", "memory in use (MiB)"), the dashed limit
/// line, a legend above the plot (one entry per kind of line and marker the chart draws, in a <c>g</c> element of
/// class legend), and the markers: red with a "killed PID (comm)" label for every
/// process an OOM killed (labels close together go on rows below one another), grey for an OOM that aborted,
/// green for the oom_reaper's Reaped and orange for UnableToReap. Static SVG: no script, no external references,
/// every piece of text escaped (<see cref="Markup.Escape"/>), numbers in the invariant culture.
/// </summary>
public static class TimelineSvg
{
    /// <summary>The size of a chart when none is given, in pixels.</summary>
    public const int DefaultWidth = 900, DefaultHeight = 420;
    private const int MarginLeft = 70, MarginRight = 20, MarginTop = 40, MarginBottom = 45, LabelRowHeight = 13;
    /// <summary>A white outline under a label, so a line it crosses does not hide it.</summary>
    private const string Halo = " stroke=\"white\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"";
    private const string LineColour = "#1f5fbf", KillColour = "#c62828", AbortColour = "#9e9e9e", ReapedColour = "#2e7d32", UnableColour = "#ef6c00";

    /// <summary>Charts <paramref name="events"/> (<see cref="TimelineChart.Build"/>) and writes the SVG.</summary>
    public static string Render(IEnumerable<TimelineEvent> events, TimelineSvgOptions options)
    {
        if (events is null) throw new ArgumentNullException(nameof(events));
        if (options is null) throw new ArgumentNullException(nameof(options));
        return Render(TimelineChart.Build(events, options), options.Width, options.Height);
    }

    /// <summary>The SVG document of <paramref name="chart"/>, <paramref name="width"/> by <paramref name="height"/> pixels.</summary>
    public static string Render(TimelineChart chart, int width = DefaultWidth, int height = DefaultHeight)
    {
        if (chart is null) throw new ArgumentNullException(nameof(chart));
        if (width < 200 || width > 10000)
            throw new OomEngineException(OomError.InvalidArgument, $"The width must be 200 to 10000 pixels; {width} is not.", width);
        if (height < 150 || height > 10000)
            throw new OomEngineException(OomError.InvalidArgument, $"The height must be 150 to 10000 pixels; {height} is not.", height);

        var plot = new Plot(chart, width, height);
        var svg = new StringBuilder(4096 + chart.Points.Count * 40);
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(I(width)).Append("\" height=\"").Append(I(height))
           .Append("\" viewBox=\"0 0 ").Append(I(width)).Append(' ').Append(I(height)).Append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.Append("<title>").Append(E(chart.Title)).Append("</title>\n");
        svg.Append("<rect x=\"0\" y=\"0\" width=\"").Append(I(width)).Append("\" height=\"").Append(I(height)).Append("\" fill=\"white\"/>\n");
        svg.Append("<text x=\"").Append(N(width / 2.0)).Append("\" y=\"17\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">").Append(E(chart.Title)).Append("</text>\n");
        Axes(svg, chart, plot, height);
        Line(svg, chart, plot);
        Markers(svg, chart, plot);
        Legend(svg, chart, plot);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>The plot area inside the margins, and the mapping of seconds and pages to pixels.</summary>
    private sealed class Plot
    {
        private readonly double xLeft, xRight, yTop, mib;

        public Plot(TimelineChart chart, int width, int height)
        {
            Left = MarginLeft;
            Top = MarginTop;
            Width = width - MarginLeft - MarginRight;
            Height = height - MarginTop - MarginBottom;
            xLeft = chart.Time.Min;
            xRight = chart.Time.Max;
            yTop = chart.Memory.Max;
            mib = chart.UnitsPerPage;
        }

        public int Left { get; }
        public int Top { get; }
        public int Width { get; }
        public int Height { get; }

        public double X(double seconds) => Left + (seconds - xLeft) / (xRight - xLeft) * Width;
        public double Y(double pages) => Top + Height - pages * mib / yTop * Height;
        /// <summary>A value of the memory axis (MiB or GiB) as pages, for <see cref="Y"/>.</summary>
        public double PagesOf(double units) => units / mib;
    }

    /// <summary>Grid lines and tick labels, the plot's frame, the axis names and the limit line.</summary>
    private static void Axes(StringBuilder svg, TimelineChart chart, Plot plot, int height)
    {
        int ml = plot.Left, mt = plot.Top, pw = plot.Width, ph = plot.Height;
        foreach (double v in chart.Memory.Ticks)
        {
            double y = plot.Y(plot.PagesOf(v));
            svg.Append("<line x1=\"").Append(I(ml)).Append("\" y1=\"").Append(N(y)).Append("\" x2=\"").Append(I(ml + pw)).Append("\" y2=\"").Append(N(y)).Append("\" stroke=\"#e4e4e4\"/>\n");
            svg.Append("<text x=\"").Append(I(ml - 6)).Append("\" y=\"").Append(N(y + 4)).Append("\" text-anchor=\"end\">").Append(Tick(v, chart.Memory.Step)).Append("</text>\n");
        }
        foreach (double s in chart.Time.Ticks)
        {
            double x = plot.X(s);
            svg.Append("<line x1=\"").Append(N(x)).Append("\" y1=\"").Append(I(mt)).Append("\" x2=\"").Append(N(x)).Append("\" y2=\"").Append(I(mt + ph)).Append("\" stroke=\"#f0f0f0\"/>\n");
            svg.Append("<text x=\"").Append(N(x)).Append("\" y=\"").Append(I(mt + ph + 16)).Append("\" text-anchor=\"middle\">").Append(Tick(s, chart.Time.Step)).Append("</text>\n");
        }
        svg.Append("<rect x=\"").Append(I(ml)).Append("\" y=\"").Append(I(mt)).Append("\" width=\"").Append(I(pw)).Append("\" height=\"").Append(I(ph)).Append("\" fill=\"none\" stroke=\"#888\"/>\n");
        svg.Append("<text x=\"").Append(N(ml + pw / 2.0)).Append("\" y=\"").Append(I(height - 8)).Append("\" text-anchor=\"middle\">time since boot (s)</text>\n");
        string mid = N(mt + ph / 2.0);
        svg.Append("<text x=\"16\" y=\"").Append(mid).Append("\" text-anchor=\"middle\" transform=\"rotate(-90 16 ").Append(mid).Append(")\">memory in use (").Append(chart.MemoryUnit).Append(")</text>\n");
        long limit = chart.LimitPages;
        if (limit > 0)
        {
            double y = plot.Y(limit);
            svg.Append("<line x1=\"").Append(I(ml)).Append("\" y1=\"").Append(N(y)).Append("\" x2=\"").Append(I(ml + pw)).Append("\" y2=\"").Append(N(y)).Append("\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n");
            svg.Append("<text x=\"").Append(I(ml + pw - 4)).Append("\" y=\"").Append(N(y - 4)).Append("\" text-anchor=\"end\" fill=\"#555\"").Append(Halo).Append(">limit ").Append(N(limit * chart.UnitsPerPage)).Append(' ').Append(chart.MemoryUnit).Append("</text>\n");
        }
    }

    /// <summary>Memory as a step line: each value holds until the next point.</summary>
    private static void Line(StringBuilder svg, TimelineChart chart, Plot plot)
    {
        svg.Append("<path d=\"");
        string? prevY = null;
        foreach (var p in chart.Points)
        {
            string x = N(plot.X(p.Seconds)), y = N(plot.Y(p.MemoryInUsePages));
            if (prevY is null) svg.Append('M').Append(x).Append(',').Append(y);
            else svg.Append(" L").Append(x).Append(',').Append(prevY).Append(" L").Append(x).Append(',').Append(y);
            prevY = y;
        }
        svg.Append("\" fill=\"none\" stroke=\"").Append(LineColour).Append("\" stroke-width=\"2\"/>\n");
    }

    /// <summary>Kills (a dashed line, a dot and a label), aborted OOMs (a grey dot), the reaper's results (a square and a label).</summary>
    private static void Markers(StringBuilder svg, TimelineChart chart, Plot plot)
    {
        int mt = plot.Top, ph = plot.Height;
        int labelRow = 0, rows = Math.Max(1, (ph - 20) / LabelRowHeight);
        double lastLabelX = double.NegativeInfinity;
        foreach (var k in chart.Markers)
        {
            double x = plot.X(k.Seconds), y = plot.Y(k.MemoryInUsePages);
            string at = " at " + N(k.Seconds) + " s";
            switch (k.Kind)
            {
                case TimelineMarkerKind.Kill:
                    // Labels near each other go on rows below one another.
                    labelRow = x - lastLabelX < 150 ? labelRow + 1 : 0;
                    lastLabelX = x;
                    int ly = mt + 14 + LabelRowHeight * (labelRow % rows);
                    string label = "killed " + I(k.Pid) + " (" + k.Name + ")";
                    svg.Append("<line x1=\"").Append(N(x)).Append("\" y1=\"").Append(I(mt)).Append("\" x2=\"").Append(N(x)).Append("\" y2=\"").Append(I(mt + ph))
                       .Append("\" stroke=\"").Append(KillColour).Append("\" stroke-dasharray=\"3 3\"/>\n");
                    svg.Append("<circle cx=\"").Append(N(x)).Append("\" cy=\"").Append(N(y)).Append("\" r=\"5\" fill=\"").Append(KillColour).Append("\"><title>")
                       .Append(E(label + at)).Append("</title></circle>\n");
                    svg.Append("<text x=\"").Append(N(x + 4)).Append("\" y=\"").Append(I(ly)).Append("\" fill=\"").Append(KillColour).Append('"').Append(Halo).Append('>').Append(E(label)).Append("</text>\n");
                    break;
                case TimelineMarkerKind.OomAborted:
                    svg.Append("<circle cx=\"").Append(N(x)).Append("\" cy=\"").Append(N(y)).Append("\" r=\"3.5\" fill=\"").Append(AbortColour).Append("\"><title>")
                       .Append(E("OOM aborted" + at + ": an earlier victim is still exiting")).Append("</title></circle>\n");
                    break;
                default:
                    bool reaped = k.Kind == TimelineMarkerKind.Reaped;
                    string colour = reaped ? ReapedColour : UnableColour;
                    string text = (reaped ? "reaped " : "unable to reap ") + I(k.Pid) + " (" + k.Name + ")";
                    svg.Append("<rect x=\"").Append(N(x - 4)).Append("\" y=\"").Append(N(y - 4)).Append("\" width=\"8\" height=\"8\" fill=\"").Append(colour).Append("\"><title>")
                       .Append(E(text + at)).Append("</title></rect>\n");
                    svg.Append("<text x=\"").Append(N(x + 6)).Append("\" y=\"").Append(N(y - 6)).Append("\" fill=\"").Append(colour).Append('"').Append(Halo).Append('>').Append(E(text)).Append("</text>\n");
                    break;
            }
        }
    }

    /// <summary>
    /// The legend, in the top margin above the plot from its left edge: a sample and a name for each kind of line
    /// and marker the chart draws, and for no other. In a group of its own, apart from the plot's elements. When
    /// the names do not fit the plot's width on one row, shorter ones are used.
    /// </summary>
    private static void Legend(StringBuilder svg, TimelineChart chart, Plot plot)
    {
        var kinds = new HashSet<TimelineMarkerKind>();
        foreach (var k in chart.Markers) kinds.Add(k.Kind);
        var entries = new List<(string Long, string Short, Func<double, double, string> Sample)>
        {
            ("memory in use (" + chart.MemoryUnit + ")", "memory (" + chart.MemoryUnit + ")", (x, y) => LineSample(x, y, LineColour + "\" stroke-width=\"2")),
        };
        if (chart.LimitPages > 0) entries.Add(("limit", "limit", (x, y) => LineSample(x, y, "#555\" stroke-dasharray=\"6 4")));
        if (kinds.Contains(TimelineMarkerKind.Kill)) entries.Add(("process killed by an OOM", "killed", (x, y) => DotSample(x, y, "5", KillColour)));
        if (kinds.Contains(TimelineMarkerKind.OomAborted)) entries.Add(("OOM aborted (a victim still exiting)", "OOM aborted", (x, y) => DotSample(x, y, "3.5", AbortColour)));
        if (kinds.Contains(TimelineMarkerKind.Reaped)) entries.Add(("reaped by the oom_reaper", "reaped", (x, y) => SquareSample(x, y, ReapedColour)));
        if (kinds.Contains(TimelineMarkerKind.UnableToReap)) entries.Add(("the oom_reaper gave up", "reaper gave up", (x, y) => SquareSample(x, y, UnableColour)));

        bool shortNames = LegendWidth(entries.ConvertAll(e => e.Long)) > plot.Width;
        double left = plot.Left, baseline = plot.Top - 8;
        svg.Append("<g class=\"legend\">\n");
        foreach (var (longName, shortName, sample) in entries)
        {
            string name = shortNames ? shortName : longName;
            svg.Append(sample(left, baseline)).Append("<text x=\"").Append(N(left + 22)).Append("\" y=\"").Append(N(baseline)).Append("\">")
               .Append(E(name)).Append("</text>\n");
            left += EntryWidth(name);
        }
        svg.Append("</g>\n");
    }

    /// <summary>A legend sample of a line, 18 px long; <paramref name="stroke"/> is the colour and any attributes after it.</summary>
    private static string LineSample(double x, double y, string stroke) =>
        $"<line x1=\"{N(x)}\" y1=\"{N(y - 4)}\" x2=\"{N(x + 18)}\" y2=\"{N(y - 4)}\" stroke=\"{stroke}\"/>";

    private static string DotSample(double x, double y, string radius, string colour) =>
        $"<circle cx=\"{N(x + 9)}\" cy=\"{N(y - 4)}\" r=\"{radius}\" fill=\"{colour}\"/>";

    private static string SquareSample(double x, double y, string colour) =>
        $"<rect x=\"{N(x + 5)}\" y=\"{N(y - 8)}\" width=\"8\" height=\"8\" fill=\"{colour}\"/>";

    /// <summary>One legend entry's width: the sample (18 px) and a gap, the name (about 6 px a character at 11 px), the gap to the next.</summary>
    private static double EntryWidth(string name) => 22 + name.Length * 6 + 16;

    private static double LegendWidth(List<string> names)
    {
        double width = 0;
        foreach (var n in names) width += EntryWidth(n);
        return width - 16;
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

    private static string E(string? text) => Markup.Escape(text);
}
