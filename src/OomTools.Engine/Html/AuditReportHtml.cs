using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using OomTools.Engine.Audit;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;

namespace OomTools.Engine.Html;

/// <summary>What an audit report covers: the OOM, the critical processes, how many kills, how many bars.</summary>
public sealed class AuditReportOptions
{
    /// <summary>The page's heading; "OOM audit: NAME" when null.</summary>
    public string? Title { get; set; }
    /// <summary>The OOM the report is about (global when empty).</summary>
    public OomRequest Request { get; set; } = new();
    /// <summary>Processes whose protection is assessed.</summary>
    public IReadOnlyList<OomTask> Critical { get; set; } = Array.Empty<OomTask>();
    /// <summary>Critical names that matched no process (listed as missing).</summary>
    public IReadOnlyList<string> MissingCritical { get; set; } = Array.Empty<string>();
    /// <summary>Kills shown in the kill order, and kills each critical process must survive.</summary>
    public int Kills { get; set; } = 3;
    /// <summary>Bars drawn in the ranking (the most points first); the rest are counted.</summary>
    public int Top { get; set; } = 40;
    /// <summary>Printed in the footer when given.</summary>
    public DateTimeOffset? GeneratedAt { get; set; }
}

/// <summary>
/// A single self-contained HTML page auditing one machine: the oom_badness ranking as an inline SVG bar chart
/// (unkillable processes listed apart), the kill order (<see cref="OomAudit.KillOrder"/>) and the protection of
/// the critical processes (<see cref="OomProtection.Assess"/>). Inline CSS, no scripts, nothing fetched: a
/// Content-Security-Policy forbids both. Every name from the machine is HTML-escaped.
/// </summary>
public static class AuditReportHtml
{
    private const int ChartWidth = 900, LabelWidth = 240, ValueWidth = 150, RowHeight = 24, BarHeight = 16;
    private const string VictimColour = "#c0392b", CriticalColour = "#2563eb", OtherColour = "#f59e0b";

    public static string Render(OomMachine machine, AuditReportOptions options)
    {
        if (machine is null) throw new ArgumentNullException(nameof(machine));
        if (options is null) throw new ArgumentNullException(nameof(options));
        if (options.Kills < 1) throw new OomEngineException(OomError.InvalidArgument, $"The number of kills must be at least 1; {options.Kills} is not.", options.Kills);
        if (options.Top < 1) throw new OomEngineException(OomError.InvalidArgument, $"The number of bars must be at least 1; {options.Top} is not.", options.Top);

        var request = options.Request;
        var oc = request.ControlFor(machine);
        var candidates = BadnessRanking.ScoreAll(machine, oc);
        var killable = candidates.Where(c => c.Killable).OrderBy(c => c.Rank).ToList();
        var unkillable = candidates.Where(c => !c.Killable).ToList();
        var order = OomAudit.KillOrder(machine, request, options.Kills);
        var protection = options.Critical.Select(t => OomProtection.Assess(machine, t, request, options.Kills)).ToList();
        var criticalPids = new HashSet<int>(options.Critical.Select(t => t.Pid));
        long totalPages = killable.Count > 0 ? killable[0].TotalPages : oc.TotalPages.Value;

        string title = options.Title ?? $"OOM audit: {machine.Name}";
        var h = new StringBuilder(16 * 1024);
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
        h.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.Append("<meta name=\"generator\" content=\"OomTools Export-OomAuditReport\">\n");
        h.Append("<title>").Append(E(title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<main>\n");

        // Heading and the machine in one line.
        h.Append("<header>\n<h1>").Append(E(title)).Append("</h1>\n<p class=\"machine\">");
        h.Append("<b>").Append(E(machine.Name)).Append("</b> &middot; ")
         .Append(E(Bytes(machine.TotalRamPages.Value, machine.PageSize))).Append(" RAM &middot; ")
         .Append(E(Bytes(machine.TotalSwapPages.Value, machine.PageSize))).Append(" swap &middot; ")
         .Append(machine.PageSize.ToString(CultureInfo.InvariantCulture)).Append("-byte pages &middot; ")
         .Append(machine.Nodes.Count.ToString(CultureInfo.InvariantCulture)).Append(machine.Nodes.Count == 1 ? " NUMA node" : " NUMA nodes").Append(" &middot; kernel ")
         .Append(E(machine.KernelVersion.ToString()));
        if (machine.Scoring.Version != machine.KernelVersion) h.Append(" (").Append(E(machine.Scoring.Version.ToString())).Append(" scoring)");
        h.Append(" &middot; cgroup v").Append((int)machine.CgroupVersion)
         .Append(" &middot; ").Append(machine.Tasks.Count.ToString(CultureInfo.InvariantCulture)).Append(" processes</p>\n</header>\n");

        // Summary cards.
        h.Append("<section class=\"cards\">\n");
        Card(h, "OOM", E(DomainText(machine, oc)) + "<br><small>" + N(totalPages) + " pages to weigh against</small>", "neutral");
        if (killable.Count > 0)
        {
            var first = killable[0];
            Card(h, "Killed first", $"{first.Pid} <b>{E(first.Name)}</b><br><small>{PointsText(first.Points!.Value)} points</small>", "bad");
        }
        else Card(h, "Killed first", "nobody<br><small>no process can be chosen</small>", "neutral");
        Card(h, "Processes", $"{killable.Count} killable<br><small>{unkillable.Count} never chosen</small>", "neutral");
        if (options.Critical.Count > 0 || options.MissingCritical.Count > 0)
        {
            int ok = protection.Count(p => p.Protected);
            int all = protection.Count + options.MissingCritical.Count;
            Card(h, "Critical processes", $"{ok} of {all} protected<br><small>survive the first {Kills(options.Kills)}</small>", ok == all ? "good" : "bad");
        }
        h.Append("</section>\n");
        if (machine.PanicOnOom != 0)
            h.Append("<p class=\"warn\">vm.panic_on_oom is ").Append(machine.PanicOnOom)
             .Append(machine.PanicOnOom == 2 ? ": every OOM panics the machine instead of killing." : ": an unconstrained OOM panics the machine instead of killing.").Append("</p>\n");
        if (machine.OomKillAllocatingTask)
            h.Append("<p class=\"warn\">vm.oom_kill_allocating_task is set: the allocating task is killed when it can be, whatever the ranking.</p>\n");

        // Ranking chart.
        h.Append("<section>\n<h2>Ranking</h2>\n<p class=\"note\">oom_badness points per process (rss + swap + page tables in pages, plus the oom_score_adj term); the kernel kills the longest bar.");
        if (killable.Count > options.Top)
        {
            int rest = killable.Count - options.Top;
            h.Append(options.Top == 1 ? " The one with the most points is drawn; " : $" The {options.Top} with the most points are drawn; ")
             .Append(rest).Append(rest == 1 ? " more is not." : " more are not.");
        }
        h.Append("</p>\n");
        h.Append("<p class=\"legend\"><span class=\"swatch\" style=\"background:").Append(VictimColour).Append("\"></span>chosen first ");
        h.Append("<span class=\"swatch\" style=\"background:").Append(CriticalColour).Append("\"></span>critical ");
        h.Append("<span class=\"swatch\" style=\"background:").Append(OtherColour).Append("\"></span>other</p>\n");
        if (killable.Count == 0) h.Append("<p>No process can be chosen in this OOM.</p>\n");
        else Chart(h, killable.Take(options.Top).ToList(), criticalPids, machine.PageSize);

        if (unkillable.Count > 0)
        {
            h.Append("<h3>Never chosen</h3>\n<table>\n<thead><tr><th class=\"n\">pid</th><th>name</th><th>why</th><th>cgroup</th></tr></thead>\n<tbody>\n");
            foreach (var c in unkillable)
                h.Append("<tr><td class=\"n\">").Append(c.Pid).Append("</td><td>").Append(E(c.Name)).Append("</td><td>").Append(E(ReasonText(c.Reason)))
                 .Append("</td><td>").Append(E(c.Cgroup)).Append("</td></tr>\n");
            h.Append("</tbody>\n</table>\n");
        }
        h.Append("</section>\n");

        // Kill order.
        h.Append("<section>\n<h2>Kill order</h2>\n<p class=\"note\">OOM after OOM on a copy of the machine: each victim exits and frees its memory before the next OOM. The first ")
         .Append(Kills(options.Kills)).Append(".</p>\n");
        if (order.Count == 0) h.Append("<p>The first OOM kills nobody").Append(machine.PanicOnOom != 0 ? " (the machine panics)" : "").Append(".</p>\n");
        else
        {
            h.Append("<table>\n<thead><tr><th class=\"n\">#</th><th class=\"n\">pid</th><th>name</th><th class=\"n\">points</th><th>killed</th><th class=\"n\">freed</th><th class=\"n\">total freed</th><th>cgroup</th></tr></thead>\n<tbody>\n");
            foreach (var s in order)
            {
                h.Append("<tr").Append(s.Killed.Any(criticalPids.Contains) ? " class=\"hit\"" : "").Append("><td class=\"n\">").Append(s.Step)
                 .Append("</td><td class=\"n\">").Append(s.Pid).Append("</td><td>").Append(E(s.Name))
                 .Append("</td><td class=\"n\">").Append(s.Points is { } p ? PointsText(p) : "allocating task")
                 .Append("</td><td>").Append(E(string.Join(", ", s.Killed.Select(k => k.ToString(CultureInfo.InvariantCulture)))))
                 .Append("</td><td class=\"n\">").Append(E(Bytes(s.Freed.Value, machine.PageSize)))
                 .Append("</td><td class=\"n\">").Append(E(Bytes(s.TotalFreed.Value, machine.PageSize)))
                 .Append("</td><td>").Append(E(s.Cgroup)).Append("</td></tr>\n");
            }
            h.Append("</tbody>\n</table>\n");
            if (order.Count < options.Kills)
                h.Append("<p class=\"note\">Nothing more can be killed after kill ").Append(order.Count).Append(machine.PanicOnOom != 0 ? " (or the machine panics)" : "").Append(".</p>\n");
        }
        h.Append("</section>\n");

        // Protection.
        if (options.Critical.Count > 0 || options.MissingCritical.Count > 0)
        {
            h.Append("<section>\n<h2>Critical processes</h2>\n<p class=\"note\">Protected: the process survives the first ").Append(Kills(options.Kills))
             .Append(". Max safe oom_score_adj: the highest value that still keeps it out of them.</p>\n");
            h.Append("<table>\n<thead><tr><th class=\"n\">pid</th><th>name</th><th class=\"n\">oom_score_adj</th><th class=\"n\">rank</th><th class=\"n\">points</th><th class=\"n\">margin</th><th class=\"n\">killed at</th><th>killed before it</th><th>verdict</th><th class=\"n\">max safe adj</th></tr></thead>\n<tbody>\n");
            foreach (var p in protection)
            {
                h.Append("<tr><td class=\"n\">").Append(p.Pid).Append("</td><td>").Append(E(p.Name))
                 .Append("</td><td class=\"n\">").Append(p.OomScoreAdj)
                 .Append("</td><td class=\"n\">").Append(p.Rank == 0 ? "&ndash;" : p.Rank.ToString(CultureInfo.InvariantCulture))
                 .Append("</td><td class=\"n\">").Append(p.Points is { } pts ? PointsText(pts) : "never chosen")
                 .Append("</td><td class=\"n\">").Append(p.MarginPages is { } mg ? E(Bytes(mg, machine.PageSize)) : "&ndash;")
                 .Append("</td><td class=\"n\">").Append(p.KillPosition is { } kp ? "#" + kp.ToString(CultureInfo.InvariantCulture) : "never")
                 .Append("</td><td>").Append(E(Shorten(p.DiesBefore, 6)))
                 .Append("</td><td>").Append(p.Protected ? "<span class=\"ok\">protected</span>" : "<span class=\"bad\">NOT protected</span>")
                 .Append("</td><td class=\"n\">").Append(p.MaxSafeOomScoreAdj is { } ms ? ms.ToString(CultureInfo.InvariantCulture) : "none").Append("</td></tr>\n");
            }
            foreach (var name in options.MissingCritical)
                h.Append("<tr><td class=\"n\">&ndash;</td><td>").Append(E(name)).Append("</td><td colspan=\"7\">no such process on this machine</td><td><span class=\"bad\">missing</span></td></tr>\n");
            h.Append("</tbody>\n</table>\n</section>\n");
        }

        h.Append("<footer>OomTools: a simulation of the Linux OOM killer (mm/oom_kill.c) on a model of this machine, not a measurement of it.");
        if (options.GeneratedAt is { } at) h.Append(" Generated ").Append(E(at.ToString("yyyy-MM-dd HH:mm:ss 'UTC'zzz", CultureInfo.InvariantCulture))).Append('.');
        h.Append("</footer>\n</main>\n</body>\n</html>\n");
        return h.ToString();
    }

    private static void Chart(StringBuilder h, List<OomCandidate> bars, HashSet<int> critical, int pageSize)
    {
        long max = 1;
        foreach (var c in bars)
            if (c.Points is { } p && p != long.MaxValue && p > max) max = p;
        int barArea = ChartWidth - LabelWidth - ValueWidth;
        int height = bars.Count * RowHeight + 8;
        h.Append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(ChartWidth).Append("\" height=\"").Append(height)
         .Append("\" viewBox=\"0 0 ").Append(ChartWidth).Append(' ').Append(height).Append("\" role=\"img\" aria-label=\"oom_badness points per process\">\n");
        h.Append("<line x1=\"").Append(LabelWidth).Append("\" y1=\"0\" x2=\"").Append(LabelWidth).Append("\" y2=\"").Append(height).Append("\" stroke=\"#94a3b8\"/>\n");
        for (int i = 0; i < bars.Count; i++)
        {
            var c = bars[i];
            long points = c.Points!.Value;
            int y = 4 + i * RowHeight;
            double fraction = points == long.MaxValue ? 1.0 : points <= 0 ? 0.0 : (double)points / max;
            int w = (int)Math.Round(fraction * barArea);
            if (points > 0 && w < 2) w = 2;
            string colour = c.Rank == 1 ? VictimColour : critical.Contains(c.Pid) ? CriticalColour : OtherColour;
            string label = $"#{c.Rank} {c.Pid} {c.Name}";
            h.Append("<g><title>").Append(E($"{c.Pid} ({c.Name}) in {c.Cgroup}: {PointsText(points)} points = rss {c.RssPages} + swap {c.SwapPages} + page tables {c.PageTablePages} + adj term {c.AdjPages} (oom_score_adj {c.OomScoreAdj})")).Append("</title>");
            h.Append("<text x=\"").Append(LabelWidth - 8).Append("\" y=\"").Append(y + BarHeight - 3).Append("\" text-anchor=\"end\" class=\"label\">").Append(E(label)).Append("</text>");
            h.Append("<rect x=\"").Append(LabelWidth + 1).Append("\" y=\"").Append(y).Append("\" width=\"").Append(w).Append("\" height=\"").Append(BarHeight)
             .Append("\" rx=\"2\" fill=\"").Append(colour).Append("\"/>");
            h.Append("<text x=\"").Append(LabelWidth + w + 6).Append("\" y=\"").Append(y + BarHeight - 3).Append("\" class=\"value\">")
             .Append(E(PointsText(points))).Append(points == long.MaxValue || points <= 0 ? "" : " (" + E(Bytes(points, pageSize)) + ")").Append("</text></g>\n");
        }
        h.Append("</svg>\n");
    }

    private static void Card(StringBuilder h, string heading, string bodyHtml, string kind) =>
        h.Append("<div class=\"card ").Append(kind).Append("\"><div class=\"k\">").Append(E(heading)).Append("</div><div class=\"v\">").Append(bodyHtml).Append("</div></div>\n");

    private static string DomainText(OomMachine machine, OomControl oc)
    {
        if (oc.Memcg is { } memcg) return $"memory cgroup {memcg.Path} (its limit)";
        if (oc.Constraint == OomConstraint.MemoryPolicy && oc.Nodemask is { } nodes) return $"mempolicy nodes {nodes}";
        if (oc.Constraint == OomConstraint.Cpuset && oc.CurrentCpuset is { } cs) return $"cpuset {cs.Path}";
        return "global (all of RAM and swap)";
    }

    private static string ReasonText(OomSkipReason reason) => reason switch
    {
        OomSkipReason.GlobalInit => "global init (pid 1) is never killed",
        OomSkipReason.KernelThread => "kernel thread",
        OomSkipReason.OutsideNodes => "outside the OOM's cpuset or mempolicy nodes",
        OomSkipReason.NoMm => "no thread has memory left (past exit_mm)",
        OomSkipReason.OomScoreAdjMin => "oom_score_adj -1000 (OOM_SCORE_ADJ_MIN)",
        OomSkipReason.MmOomSkip => "its mm is MMF_OOM_SKIP (reaped or exiting)",
        OomSkipReason.InVfork => "in vfork",
        OomSkipReason.ReapedVictim => "an earlier victim, already reaped",
        OomSkipReason.VictimExiting => "an earlier victim still exiting (the OOM waits for it)",
        _ => reason.ToString(),
    };

    private static string Kills(int n) => n == 1 ? "kill" : n.ToString(CultureInfo.InvariantCulture) + " kills";

    private static string Shorten(IReadOnlyList<string> items, int max)
    {
        if (items.Count == 0) return "nobody";
        var shown = string.Join(", ", items.Take(max));
        return items.Count > max ? $"{shown} and {items.Count - max} more" : shown;
    }

    private static string PointsText(long points) => points == long.MaxValue ? "LONG_MAX" : N(points);

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Pages as bytes in binary units (1.5 GiB).</summary>
    internal static string Bytes(long pages, int pageSize)
    {
        double bytes = (double)pages * pageSize;
        string sign = bytes < 0 ? "-" : "";
        bytes = Math.Abs(bytes);
        string[] units = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
        int u = 0;
        while (bytes >= 1024 && u < units.Length - 1) { bytes /= 1024; u++; }
        return sign + (u == 0 ? bytes.ToString("0", CultureInfo.InvariantCulture) : bytes.ToString(bytes < 10 ? "0.##" : bytes < 100 ? "0.#" : "0", CultureInfo.InvariantCulture)) + " " + units[u];
    }

    /// <summary>HTML-escapes text for element content and attribute values.</summary>
    public static string E(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text!.Length + 8);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default:
                    // Control characters (a comm can hold them) would be invalid in the page: shown as U+FFFD.
                    if (c < ' ' && c != '\t' && c != '\n') sb.Append('\uFFFD');
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    private const string Css = @"*{box-sizing:border-box}
body{margin:0;background:#f8fafc;color:#0f172a;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px}
header{border-bottom:3px solid #0f172a;margin-bottom:16px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:28px 0 6px;border-bottom:1px solid #cbd5e1;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.machine{margin:0 0 10px;color:#334155}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{flex:1 1 200px;background:#fff;border:1px solid #cbd5e1;border-left:6px solid #64748b;border-radius:6px;padding:10px 12px}
.card.good{border-left-color:#16a34a;background:#f0fdf4}
.card.bad{border-left-color:#c0392b;background:#fef2f2}
.card .k{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#475569}
.card .v{font-size:17px}
.card small{font-size:12px;color:#475569}
.note{color:#475569;margin:4px 0 8px}
.warn{background:#fff7ed;border:1px solid #fb923c;border-radius:6px;padding:8px 12px}
.legend{margin:4px 0}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin:0 4px 0 10px;vertical-align:-1px}
.chart{display:block;max-width:100%;height:auto;background:#fff;border:1px solid #cbd5e1;border-radius:6px}
.chart .label{font-size:12px;fill:#0f172a}
.chart .value{font-size:11px;fill:#334155}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #cbd5e1}
th,td{padding:5px 8px;border-bottom:1px solid #e2e8f0;text-align:left;vertical-align:top}
th{background:#e2e8f0;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#f8fafc}
tr.hit td{background:#fee2e2}
.ok{color:#15803d;font-weight:600}
.bad{color:#b91c1c;font-weight:600}
footer{margin-top:28px;color:#64748b;font-size:12px}
";
}
