using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OomTools.Engine.Audit;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;

namespace OomTools.Engine.Writers;

/// <summary>
/// Export-OomMetrics: a machine as OpenMetrics text for node_exporter's textfile collector. Per-process
/// <c>/proc/PID/oom_score</c> (<c>proc_oom_score</c>) for the top processes and the critical ones, each critical
/// service's rank and margin in a global OOM (<see cref="OomProtection.AssessService"/>), the host's
/// <c>/proc/vmstat oom_kill</c> counter (plus the kills modelled since the snapshot) and each memory cgroup's OOM event counters. The machine is not changed.
/// </summary>
public static class OomMetrics
{
    /// <summary>The prefix of every metric name written.</summary>
    public const string Prefix = "oomtools_";

    /// <summary>
    /// Writes the exposition to <paramref name="w"/>, ending with <c># EOF</c>. <paramref name="top"/> processes
    /// with the highest oom_score (ties by pid) get an oom_score sample, and so do all of
    /// <paramref name="critical"/>; those are grouped by comm into services, each assessed for one kill.
    /// Kernel threads are left out (no mm: oom_score 0, never chosen).
    /// </summary>
    public static void Write(OomMachine machine, TextWriter w, int top, IReadOnlyList<OomTask> critical)
    {
        if (top < 0) throw new ArgumentOutOfRangeException(nameof(top), top, "top must be 0 or more");
        var killer = new OomKiller(machine);
        var scored = machine.Tasks.Where(t => !t.IsKernelThread)
            .Select(t => (Task: t, Score: killer.ProcOomScore(t))).ToList();
        var criticalPids = new HashSet<int>(critical.Select(t => t.Pid));
        var shown = scored.OrderByDescending(s => s.Score).ThenBy(s => s.Task.Pid).Take(top)
            .Concat(scored.Where(s => criticalPids.Contains(s.Task.Pid)))
            .GroupBy(s => s.Task.Pid).Select(g => g.First()).OrderBy(s => s.Task.Pid).ToList();

        OpenMetricsText.Family(w, Prefix + "oom_score", "gauge",
            "/proc/PID/oom_score as the kernel computes it (proc_oom_score), for the top processes and the critical ones.");
        foreach (var (t, score) in shown)
            OpenMetricsText.Sample(w, Prefix + "oom_score", score,
                ("pid", Num(t.Pid)), ("comm", t.Comm), ("cgroup", t.Memcg?.Path ?? "/"));

        WriteCritical(machine, w, critical);
        WriteCounters(machine, w);
        w.Write(OpenMetricsText.Eof + "\n");
    }

    /// <summary>The whole exposition as one string (see <see cref="Write(OomMachine, TextWriter, int, IReadOnlyList{OomTask})"/>).</summary>
    public static string Write(OomMachine machine, int top, IReadOnlyList<OomTask> critical)
    {
        var sw = new StringWriter { NewLine = "\n" };
        Write(machine, sw, top, critical);
        return sw.ToString();
    }

    private static void WriteCritical(OomMachine machine, TextWriter w, IReadOnlyList<OomTask> critical)
    {
        var rows = critical.GroupBy(t => t.Comm, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => OomProtection.AssessService(machine, g.Key, g.ToList(), new OomRequest(), 1)).ToList();
        if (rows.Count == 0) return;
        OpenMetricsText.Family(w, Prefix + "critical_rank", "gauge",
            "Rank of the critical service's first process to die in a global OOM (1 = chosen first, 0 = never chosen).");
        foreach (var r in rows) OpenMetricsText.Sample(w, Prefix + "critical_rank", r.Rank, Service(r));
        OpenMetricsText.Family(w, Prefix + "critical_protected", "gauge",
            "1 when the critical service survives the first OOM kill, else 0.");
        foreach (var r in rows) OpenMetricsText.Sample(w, Prefix + "critical_protected", r.Protected ? 1 : 0, Service(r));
        // The margin exists only below another process: a service ranked first or never chosen has no sample.
        var margins = rows.Where(r => r.MarginPages is not null).ToList();
        OpenMetricsText.Family(w, Prefix + "critical_margin_pages", "gauge",
            "oom_badness pages between the critical service and the process ranked just above it.", "pages");
        foreach (var r in margins) OpenMetricsText.Sample(w, Prefix + "critical_margin_pages", r.MarginPages!.Value, Service(r));
        OpenMetricsText.Family(w, Prefix + "critical_margin_bytes", "gauge",
            "The same margin in bytes (pages times the page size).", "bytes");
        foreach (var r in margins) OpenMetricsText.Sample(w, Prefix + "critical_margin_bytes", r.MarginPages!.Value * r.PageSize, Service(r));
    }

    private static void WriteCounters(OomMachine machine, TextWriter w)
    {
        // vmstat's OOM_KILL as the model would read it: the host's count at the snapshot, plus the model's kills since.
        OpenMetricsText.Family(w, Prefix + "oom_kills", "counter",
            "OOM kills since boot: /proc/vmstat oom_kill as the snapshot read it, plus the kills modelled since.");
        OpenMetricsText.Sample(w, Prefix + "oom_kills_total", (machine.VmstatOomKill ?? 0) + machine.OomKillCount);
        // Only cgroups that have seen an OOM: a host has thousands of cgroups, and an absent series reads as zero.
        var cgroups = machine.Cgroups.Where(c => c.Oom > 0 || c.OomKill > 0 || c.OomGroupKill > 0 || c.UnderOom).ToList();
        Counter(w, cgroups, "cgroup_ooms", "memory.events oom: times the cgroup hit its limit and the OOM killer was invoked.", c => c.Oom);
        Counter(w, cgroups, "cgroup_oom_kills", "memory.events / memory.oom_control oom_kill: processes OOM-killed in the cgroup.", c => c.OomKill);
        Counter(w, cgroups, "cgroup_oom_group_kills", "memory.events oom_group_kill: group OOM kills of the cgroup.", c => c.OomGroupKill);
        OpenMetricsText.Family(w, Prefix + "cgroup_under_oom", "gauge", "memory.oom_control under_oom (cgroup v1): 1 while a charge waits in an OOM.");
        foreach (var c in cgroups) OpenMetricsText.Sample(w, Prefix + "cgroup_under_oom", c.UnderOom ? 1 : 0, ("cgroup", c.Path));
    }

    private static void Counter(TextWriter w, List<MemoryCgroup> cgroups, string name, string help, Func<MemoryCgroup, long> value)
    {
        OpenMetricsText.Family(w, Prefix + name, "counter", help);
        foreach (var c in cgroups) OpenMetricsText.Sample(w, Prefix + name + "_total", value(c), ("cgroup", c.Path));
    }

    private static (string, string) Service(ProtectionReport r) => ("service", r.Service);
    private static string Num(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
