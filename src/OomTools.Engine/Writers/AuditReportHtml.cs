using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using OomTools.Engine.Audit;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Writers;

/// <summary>
/// Writes an <see cref="AuditReport"/> as a single self-contained HTML page, what a reader wants first at the top:
/// the summary cards, the kill order, the protection of the critical processes, then the oom_badness ranking as
/// an inline SVG bar chart and, folded into one row, the processes never chosen (kernel threads, init,
/// oom_score_adj -1000, ...: counted per reason, listed in a <c>details</c> element). Points are oom_badness
/// points, not sizes; sizes (rss, swap, freed memory, RAM) are shown in KiB/MiB/GiB. Inline CSS, no scripts, nothing fetched: a Content-Security-Policy forbids both. Every name from
/// the machine is escaped (<see cref="Markup.Escape"/>).
/// </summary>
public static class AuditReportHtml
{
    private const int ChartWidth = 1040, LabelWidth = 240, ValueWidth = 250, HeadHeight = 22, RowHeight = 24, BarHeight = 16;
    private const string VictimColour = "#c0392b", CriticalColour = "#2563eb", OtherColour = "#f59e0b";

    /// <summary>Audits <paramref name="machine"/> (<see cref="AuditReport.Build"/>) and writes the page.</summary>
    public static string Render(OomMachine machine, AuditReportOptions options) => Render(AuditReport.Build(machine, options));

    /// <summary>The HTML page of <paramref name="report"/>.</summary>
    public static string Render(AuditReport report)
    {
        if (report is null) throw new ArgumentNullException(nameof(report));
        var h = new StringBuilder(16 * 1024);
        Head(h, report);
        Header(h, report);
        Cards(h, report);
        KillOrder(h, report);
        if (report.AssessesProtection) Protection(h, report);
        Ranking(h, report);
        Footer(h, report);
        return h.ToString();
    }

    private static void Head(StringBuilder h, AuditReport r)
    {
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
        h.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.Append("<meta name=\"generator\" content=\"OomTools Export-OomAuditReport\">\n");
        h.Append("<title>").Append(E(r.Title)).Append("</title>\n<style>\n").Append(AuditReportCss.Text).Append("</style>\n</head>\n<body>\n<main>\n");
    }

    /// <summary>The heading and the machine in one line.</summary>
    private static void Header(StringBuilder h, AuditReport r)
    {
        var m = r.Machine;
        h.Append("<header>\n<h1>").Append(E(r.Title)).Append("</h1>\n<p class=\"machine\">");
        h.Append("<b>").Append(E(m.Name)).Append("</b> &middot; ")
         .Append(E(Bytes(m.RamPages.Value, m.PageSize))).Append(" RAM &middot; ")
         .Append(E(Bytes(m.SwapPages.Value, m.PageSize))).Append(" swap &middot; ")
         .Append(m.PageSize.ToString(CultureInfo.InvariantCulture)).Append("-byte pages &middot; ")
         .Append(m.NumaNodes.ToString(CultureInfo.InvariantCulture)).Append(m.NumaNodes == 1 ? " NUMA node" : " NUMA nodes").Append(" &middot; kernel ")
         .Append(E(m.KernelVersion.ToString()));
        if (m.ScoringVersion != m.KernelVersion) h.Append(" (").Append(E(m.ScoringVersion.ToString())).Append(" scoring)");
        h.Append(" &middot; cgroup v").Append(m.CgroupVersion)
         .Append(" &middot; ").Append(m.Processes.ToString(CultureInfo.InvariantCulture)).Append(" processes</p>\n</header>\n");
    }

    /// <summary>The summary cards, then the sysctls that override the ranking.</summary>
    private static void Cards(StringBuilder h, AuditReport r)
    {
        h.Append("<section class=\"cards\">\n");
        Card(h, "OOM", E(DomainText(r.Domain)) + "<br><small>" + N(r.TotalPages.Value) + " pages (" + E(Bytes(r.TotalPages.Value, r.Machine.PageSize)) + ") to weigh against</small>", "neutral");
        if (r.Ranking.Count > 0)
        {
            var first = r.Ranking[0];
            Card(h, "Killed first", $"{first.Pid} <b>{E(first.Name)}</b><br><small>{PointsText(first.Points!.Value)} points</small>", "bad");
        }
        else Card(h, "Killed first", "nobody<br><small>no process can be chosen</small>", "neutral");
        Card(h, "Processes", $"{r.Ranking.Count} killable<br><small>{r.NeverChosen.Count} never chosen</small>", "neutral");
        if (r.AssessesProtection)
        {
            int ok = r.ProtectedCount;
            int all = r.Protection.Count + r.MissingCritical.Count;
            Card(h, "Critical processes", $"{ok} of {all} protected<br><small>survive the first {Kills(r.Kills)}</small>", ok == all ? "good" : "bad");
        }
        h.Append("</section>\n");

        int panic = r.Machine.PanicOnOom;
        if (panic != 0)
            h.Append("<p class=\"warn\">vm.panic_on_oom is ").Append(panic)
             .Append(panic == 2 ? ": every OOM panics the machine instead of killing." : ": an unconstrained OOM panics the machine instead of killing.").Append("</p>\n");
        if (r.Machine.OomKillAllocatingTask)
            h.Append("<p class=\"warn\">vm.oom_kill_allocating_task is set: the allocating task is killed when it can be, whatever the ranking.</p>\n");
    }

    /// <summary>The bar chart of the first <see cref="AuditReport.Top"/> processes, and the row of those never chosen.</summary>
    private static void Ranking(StringBuilder h, AuditReport r)
    {
        var ranked = r.Ranking;
        h.Append("<section>\n<h2>Ranking</h2>\n<p class=\"note\">oom_badness points per process: rss + swap + page tables in pages, plus the oom_score_adj term (adj/1000 of the pages weighed against), so points are not a size; the kernel kills the longest bar. Beside each bar: its points and what the process holds.");
        if (ranked.Count > r.Top)
        {
            int rest = ranked.Count - r.Top;
            h.Append(r.Top == 1 ? " The one with the most points is drawn; " : $" The {r.Top} with the most points are drawn; ")
             .Append(rest).Append(rest == 1 ? " more is not." : " more are not.");
        }
        h.Append("</p>\n");
        h.Append("<p class=\"legend\"><span class=\"swatch\" style=\"background:").Append(VictimColour).Append("\"></span>chosen first ");
        h.Append("<span class=\"swatch\" style=\"background:").Append(CriticalColour).Append("\"></span>critical ");
        h.Append("<span class=\"swatch\" style=\"background:").Append(OtherColour).Append("\"></span>other</p>\n");
        if (ranked.Count == 0) h.Append("<p>No process can be chosen in this OOM.</p>\n");
        else Chart(h, ranked.Take(r.Top).ToList(), r);

        if (r.NeverChosen.Count > 0) NeverChosen(h, r.NeverChosen);
        h.Append("</section>\n");
    }

    /// <summary>
    /// The processes the scan never chooses, folded into one row that counts them per reason (62 kernel threads
    /// push nothing down the page); the list opens from it.
    /// </summary>
    private static void NeverChosen(StringBuilder h, IReadOnlyList<AuditCandidate> never)
    {
        h.Append("<table class=\"folded\">\n<tbody>\n<tr><td><details><summary>").Append(E(NeverChosenSummary(never))).Append("</summary>\n");
        h.Append("<table>\n<thead><tr><th class=\"n\">pid</th><th>name</th><th>why</th><th>cgroup</th></tr></thead>\n<tbody>\n");
        foreach (var c in never)
            h.Append("<tr><td class=\"n\">").Append(c.Pid).Append("</td><td>").Append(E(c.Name)).Append("</td><td>").Append(E(ReasonText(c.Reason)))
             .Append("</td><td>").Append(E(c.Cgroup)).Append("</td></tr>\n");
        h.Append("</tbody>\n</table>\n</details></td></tr>\n</tbody>\n</table>\n");
    }

    /// <summary>"62 kernel threads, global init (pid 1) and 3 unkillable processes (oom_score_adj -1000): never chosen".</summary>
    internal static string NeverChosenSummary(IReadOnlyList<AuditCandidate> never)
    {
        var parts = never.GroupBy(c => c.Reason).OrderBy(g => ReasonOrder(g.Key)).Select(g => CountText(g.Key, g.Count())).ToList();
        string joined = parts.Count == 1 ? parts[0] : string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[parts.Count - 1];
        return joined + ": never chosen";
    }

    /// <summary>The most common reasons first, then the kernel's order of checks.</summary>
    private static int ReasonOrder(OomSkipReason reason) => reason switch
    {
        OomSkipReason.KernelThread => -3,
        OomSkipReason.GlobalInit => -2,
        OomSkipReason.OomScoreAdjMin => -1,
        _ => (int)reason,
    };

    private static string CountText(OomSkipReason reason, int n)
    {
        string Of(string one, string many) => n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many);
        return reason switch
        {
            OomSkipReason.KernelThread => Of("kernel thread", "kernel threads"),
            OomSkipReason.GlobalInit => n == 1 ? "global init (pid 1)" : Of("global init", "global inits"),
            OomSkipReason.OomScoreAdjMin => Of("unkillable process", "unkillable processes") + " (oom_score_adj -1000)",
            OomSkipReason.OutsideNodes => Of("process", "processes") + " outside the OOM's nodes",
            OomSkipReason.NoMm => Of("process", "processes") + " past exit_mm",
            OomSkipReason.MmOomSkip => Of("process", "processes") + " with MMF_OOM_SKIP",
            OomSkipReason.InVfork => Of("process", "processes") + " in vfork",
            OomSkipReason.ReapedVictim => Of("earlier victim, already reaped", "earlier victims, already reaped"),
            OomSkipReason.VictimExiting => Of("earlier victim still exiting", "earlier victims still exiting"),
            _ => Of("process", "processes") + " (" + reason + ")",
        };
    }

    private static void Chart(StringBuilder h, List<AuditCandidate> bars, AuditReport r)
    {
        int pageSize = r.Machine.PageSize;
        long max = 1;
        foreach (var c in bars)
            if (c.Points is { } p && p != long.MaxValue && p > max) max = p;
        int barArea = ChartWidth - LabelWidth - ValueWidth;
        int height = HeadHeight + bars.Count * RowHeight + 8;
        h.Append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(ChartWidth).Append("\" height=\"").Append(height)
         .Append("\" viewBox=\"0 0 ").Append(ChartWidth).Append(' ').Append(height).Append("\" role=\"img\" aria-label=\"oom_badness points per process\">\n");
        // Column heads: what the labels, the bars and the numbers beside them are, with their units.
        h.Append("<text x=\"").Append(LabelWidth - 8).Append("\" y=\"15\" text-anchor=\"end\" class=\"head\">rank, pid, name</text>");
        h.Append("<text x=\"").Append(LabelWidth + 6).Append("\" y=\"15\" class=\"head\">oom_badness (points) &#8594;</text>\n");
        h.Append("<line x1=\"").Append(LabelWidth).Append("\" y1=\"").Append(HeadHeight).Append("\" x2=\"").Append(LabelWidth).Append("\" y2=\"").Append(height).Append("\" stroke=\"#94a3b8\"/>\n");
        for (int i = 0; i < bars.Count; i++)
        {
            var c = bars[i];
            long points = c.Points!.Value;
            int y = HeadHeight + 4 + i * RowHeight;
            double fraction = points == long.MaxValue ? 1.0 : points <= 0 ? 0.0 : (double)points / max;
            int w = (int)Math.Round(fraction * barArea);
            if (points > 0 && w < 2) w = 2;
            string colour = c.Rank == 1 ? VictimColour : r.IsCritical(c.Pid) ? CriticalColour : OtherColour;
            string label = $"#{c.Rank} {c.Pid} {c.Name}";
            h.Append("<g><title>").Append(E($"{c.Pid} ({c.Name}) in {c.Cgroup}: {PointsText(points)} points = rss {c.RssPages} + swap {c.SwapPages} + page tables {c.PageTablePages} + adj term {c.AdjPages} (oom_score_adj {c.OomScoreAdj})")).Append("</title>");
            h.Append("<text x=\"").Append(LabelWidth - 8).Append("\" y=\"").Append(y + BarHeight - 3).Append("\" text-anchor=\"end\" class=\"label\">").Append(E(label)).Append("</text>");
            h.Append("<rect x=\"").Append(LabelWidth + 1).Append("\" y=\"").Append(y).Append("\" width=\"").Append(w).Append("\" height=\"").Append(BarHeight)
             .Append("\" rx=\"2\" fill=\"").Append(colour).Append("\"/>");
            h.Append("<text x=\"").Append(LabelWidth + w + 6).Append("\" y=\"").Append(y + BarHeight - 3).Append("\" class=\"value\">")
             .Append(E(PointsText(points) + " points \u00b7 " + Holds(c, pageSize))).Append("</text></g>\n");
        }
        h.Append("</svg>\n");
    }

    /// <summary>The kill order's table; a row that kills a critical process is marked.</summary>
    private static void KillOrder(StringBuilder h, AuditReport r)
    {
        var order = r.KillOrder;
        int pageSize = r.Machine.PageSize;
        bool panics = r.Machine.PanicOnOom != 0;
        h.Append("<section>\n<h2>Kill order</h2>\n<p class=\"note\">OOM after OOM on a copy of the machine: each victim exits and frees its memory before the next OOM. The first ")
         .Append(Kills(r.Kills)).Append(".</p>\n");
        if (order.Count == 0) h.Append("<p>The first OOM kills nobody").Append(panics ? " (the machine panics)" : "").Append(".</p>\n");
        else
        {
            h.Append("<table>\n<thead><tr><th class=\"n\">#</th><th class=\"n\">pid</th><th>name</th><th class=\"n\">points</th><th>killed (pids)</th><th class=\"n\">freed</th><th class=\"n\">total freed</th><th>cgroup</th></tr></thead>\n<tbody>\n");
            foreach (var s in order)
            {
                h.Append("<tr").Append(s.Killed.Any(r.IsCritical) ? " class=\"hit\"" : "").Append("><td class=\"n\">").Append(s.Step)
                 .Append("</td><td class=\"n\">").Append(s.Pid).Append("</td><td>").Append(E(s.Name))
                 .Append("</td><td class=\"n\">").Append(s.Points is { } p ? PointsText(p) : "allocating task")
                 .Append("</td><td>").Append(E(string.Join(", ", s.Killed.Select(k => k.ToString(CultureInfo.InvariantCulture)))))
                 .Append("</td><td class=\"n\">").Append(E(Bytes(s.Freed.Value, pageSize)))
                 .Append("</td><td class=\"n\">").Append(E(Bytes(s.TotalFreed.Value, pageSize)))
                 .Append("</td><td>").Append(E(s.Cgroup)).Append("</td></tr>\n");
            }
            h.Append("</tbody>\n</table>\n");
            if (order.Count < r.Kills)
                h.Append("<p class=\"note\">Nothing more can be killed after kill ").Append(order.Count).Append(panics ? " (or the machine panics)" : "").Append(".</p>\n");
        }
        h.Append("</section>\n");
    }

    /// <summary>One row per critical process, then one per critical name that matched none.</summary>
    private static void Protection(StringBuilder h, AuditReport r)
    {
        h.Append("<section>\n<h2>Critical processes</h2>\n<p class=\"note\">One row per service (the processes of one name, shown by the first of them to die). Protected: it survives the first ").Append(Kills(r.Kills))
         .Append(". Max safe oom_score_adj: the highest value, given to all of its processes, that still keeps it out of them.</p>\n");
        h.Append("<table>\n<thead><tr><th class=\"n\">pid</th><th>name</th><th class=\"n\">oom_score_adj</th><th class=\"n\">rank</th><th class=\"n\">points</th><th class=\"n\">margin (points)</th><th class=\"n\">killed at</th><th>killed before it</th><th>verdict</th><th class=\"n\">max safe adj</th></tr></thead>\n<tbody>\n");
        foreach (var p in r.Protection)
        {
            string who = p.ProcessCount > 1 ? $"{p.Name} ({p.ProcessCount} processes)" : p.Name;
            h.Append("<tr><td class=\"n\">").Append(p.Pid).Append("</td><td>").Append(E(who))
             .Append("</td><td class=\"n\">").Append(p.OomScoreAdj)
             .Append("</td><td class=\"n\">").Append(p.Rank == 0 ? "&ndash;" : p.Rank.ToString(CultureInfo.InvariantCulture))
             .Append("</td><td class=\"n\">").Append(p.Points is { } pts ? PointsText(pts) : "never chosen")
             .Append("</td><td class=\"n\">").Append(p.MarginPages is { } mg ? N(mg) : "&ndash;")
             .Append("</td><td class=\"n\">").Append(p.KillPosition is { } kp ? "#" + kp.ToString(CultureInfo.InvariantCulture) : "never")
             .Append("</td><td>").Append(E(Shorten(p.DiesBefore, 6)))
             .Append("</td><td>").Append(p.Protected ? "<span class=\"ok\">protected</span>" : "<span class=\"bad\">NOT protected</span>")
             .Append("</td><td class=\"n\">").Append(p.MaxSafeOomScoreAdj is { } ms ? ms.ToString(CultureInfo.InvariantCulture) : "none").Append("</td></tr>\n");
        }
        foreach (var name in r.MissingCritical)
            h.Append("<tr><td class=\"n\">&ndash;</td><td>").Append(E(name)).Append("</td><td colspan=\"7\">no such process on this machine</td><td><span class=\"bad\">missing</span></td></tr>\n");
        h.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void Footer(StringBuilder h, AuditReport r)
    {
        h.Append("<footer>OomTools: a simulation of the Linux OOM killer (mm/oom_kill.c) on a model of this machine, not a measurement of it.");
        if (r.GeneratedAt is { } at) h.Append(" Generated ").Append(E(at.ToString("yyyy-MM-dd HH:mm:ss 'UTC'zzz", CultureInfo.InvariantCulture))).Append('.');
        h.Append("</footer>\n</main>\n</body>\n</html>\n");
    }

    private static void Card(StringBuilder h, string heading, string bodyHtml, string kind) =>
        h.Append("<div class=\"card ").Append(kind).Append("\"><div class=\"k\">").Append(E(heading)).Append("</div><div class=\"v\">").Append(bodyHtml).Append("</div></div>\n");

    private static string DomainText(AuditDomain domain) => domain.Constraint switch
    {
        OomConstraint.Memcg => $"memory cgroup {domain.Name} (its limit)",
        OomConstraint.MemoryPolicy => $"mempolicy nodes {domain.Name}",
        OomConstraint.Cpuset => $"cpuset {domain.Name}",
        _ => "global (all of RAM and swap)",
    };

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

    /// <summary>What a process holds, in bytes: "rss 224 MiB", "+ swap 1 GiB" when it has swap.</summary>
    private static string Holds(AuditCandidate c, int pageSize) =>
        "rss " + Bytes(c.RssPages, pageSize) + (c.SwapPages > 0 ? " + swap " + Bytes(c.SwapPages, pageSize) : "");

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Pages as bytes in binary units (1.5 GiB).</summary>
    private static string Bytes(long pages, int pageSize) => SizeText.Format((double)pages * pageSize);

    private static string E(string? text) => Markup.Escape(text);
}
