using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;
using OomTools.Engine.Killer;
using OomTools.Engine.Units;

namespace OomTools.Engine.Reports;

/// <summary>
/// Reads kernel log text line by line and hands back one <see cref="OomReport"/> per OOM event, in order. An
/// event starts at its <c>invoked oom-killer</c> line — or, when that line is missing, at the first line only an
/// OOM report prints — and ends where the next one starts. A <c>Killed process</c> line with no report around it
/// (the kernel rate-limits reports to 10 per 5 s) is an event of its own, kept but not replayable.
/// Never throws on bad input: what does not parse is left out.
/// </summary>
public sealed partial class OomReportParser
{
    private const RegexOptions Opts = RegexOptions.Compiled | RegexOptions.CultureInvariant;

    private static readonly Regex Invoked = new(
        @"^(?<comm>.*?) invoked oom-killer: gfp_mask=(?<gfp>0x[0-9a-fA-F]+)(?:\((?<flags>[^)]*)\))?,(?: nodemask=(?<nm>[^,]*),)? order=(?<order>-?\d+),(?: oom_adj=-?\d+,)? oom_score_adj=(?<adj>-?\d+)", Opts);
    private static readonly Regex CpuLine = new(@"^CPU: \d+ (?:UID: \d+ )?PID: (?<pid>\d+) Comm: (?<comm>.+?) (?:Not tainted|Tainted:)", Opts);
    private static readonly Regex OldPidLine = new(@"^Pid: (?<pid>\d+), comm: (?<comm>.+?) (?:Not tainted|Tainted:)", Opts);
    private static readonly Regex Release = new(@"(?:Not tainted|Tainted: [A-Z ]*?)\s+(?<rel>\d+\.\d+(?:\.\d+)?[^\s]*)", Opts);
    private static readonly Regex OldCpuset = new(@"^(?<comm>.+?) cpuset=(?<cs>\S+) mems_allowed=(?<mems>\S+)$", Opts);
    private static readonly Regex OomKill = new(
        @"^oom-kill:constraint=(?<c>\w+),nodemask=(?<nm>[^,]*(?:,[0-9][^,]*)*?),(?:cpuset=(?<cs>[^,]*),mems_allowed=(?<mems>[^,]*(?:,[0-9][^,]*)*?),)?(?:global_oom|oom_memcg=(?<om>[^,]*))(?:,task_memcg=(?<tm>[^,]*))?,task=(?<task>.*),pid=(?<pid>\d+),uid=(?<uid>\d+)$", Opts);
    private static readonly Regex KillProcess = new(@"Kill process (?<pid>\d+) \((?<comm>.*?)\) score (?<score>\d+)", Opts);
    private static readonly Regex KilledProcess = new(@"^(?:(?<msg>.*?): )?Killed process (?<pid>\d+)(?:, UID \d+,)? \((?<comm>.*?)\)", Opts);
    private static readonly Regex WouldHaveKilled = new(@"would have killed (?:process )?(?<pid>\d+)(?: \((?<comm>.*?)\))?", Opts);
    private static readonly Regex MemcgLine = new(@"^(?<what>memory|memory\+swap|swap|kmem): usage (?<usage>\d+)kB, limit (?<limit>\d+)kB", Opts);
    private static readonly Regex TaskIn = new(@"^Task in (?<task>\S+) killed as a result of limit of (?<limit>\S+)", Opts);
    private static readonly Regex GroupLine = new(@"^Tasks in (?<cg>\S+) are going to be killed due to memory\.oom\.group set", Opts);
    private static readonly Regex Suppressed = new(@"^oom_kill_process: (?<n>\d+) callbacks suppressed", Opts);
    private static readonly Regex TotalVmKb = new(@"total-vm:(?<kb>\d+)kB", Opts);
    private static readonly Regex Reaped = new(@"^oom_reaper: reaped process (?<pid>\d+) ", Opts);
    private static readonly Regex StatsFor = new(@"^Memory cgroup stats for (?<cg>\S*?):(?<rest>.*)$", Opts);
    private static readonly Regex StatLine = new(@"^(?<key>[a-z_]+) (?<value>\d+)$", Opts);
    private static readonly Regex OldStat = new(@"(?<key>[a-z_]+):(?<kb>\d+)KB", Opts);

    private readonly string source;
    private OomReport? current;
    private TaskTableLayout? layout;
    private bool inTable, inGroupKill, inMemcgStats;
    private int lineNumber, events;
    private int? pendingSuppressed;
    private readonly List<OomReport> finished = new();
    private readonly HashSet<int> killedEarlier = new();
    private readonly Queue<ReportLine> preamble = new();
    private const int PreambleLines = 64;

    /// <summary>Starts a parser for one source of log text.</summary>
    /// <param name="source">What every report's <see cref="OomReport.Source"/> says: the file's path, or <c>(pipeline)</c>.</param>
    public OomReportParser(string source = "(pipeline)") => this.source = source;

    /// <summary>
    /// Whether a memcg report's stat lines may give its machine copy-on-write pages charged outside the cgroup
    /// (<see cref="CowSharingInference"/>); off only to see the machine as the rows alone describe it.
    /// </summary>
    internal bool InferSharingFromStats { get; set; } = true;

    /// <summary>Page size the reports are assumed to use when they do not show it.</summary>
    public int DefaultPageSize { get; set; } = 4096;

    /// <summary>Feeds one line of text; returns the events it completed (usually none).</summary>
    public IReadOnlyList<OomReport> Feed(string raw)
    {
        finished.Clear();
        lineNumber++;
        if (raw is null) return finished;
        foreach (var part in LineNormalizer.SplitEscapes(raw))
        {
            var text = LineNormalizer.Normalize(part, out var stamp);
            if (text is null || text.Length == 0) continue;
            Handle(new ReportLine(lineNumber, part, text, stamp));
        }
        return finished;
    }

    /// <summary>Ends the input: returns the last event, if any.</summary>
    public IReadOnlyList<OomReport> Complete()
    {
        finished.Clear();
        Close();
        return finished;
    }

    private void Handle(ReportLine line)
    {
        var t = line.Text;
        if (t.IndexOf(" invoked oom-killer: ", StringComparison.Ordinal) > 0)
        {
            var m = Invoked.Match(t);
            if (m.Success)
            {
                Close();
                Start(line);
                var r = current!;
                r.lines.Add(line);
                r.TriggerName = m.Groups["comm"].Value;
                r.GfpMaskValue = uint.TryParse(m.Groups["gfp"].Value.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var gfp) ? gfp : null;
                r.Order = Num.Int(m.Groups["order"].Value);
                r.TriggerOomScoreAdj = Num.Int(m.Groups["adj"].Value);
                // Kernels before %pGg printed the bare number, in a bit layout of their own: leave it undecoded.
                r.GfpFlags = m.Groups["flags"].Success ? m.Groups["flags"].Value : null;
                r.GfpMask = r.GfpFlags is null ? m.Groups["gfp"].Value : $"{m.Groups["gfp"].Value}({r.GfpFlags})";
                if (m.Groups["nm"].Success) r.Nodemask = m.Groups["nm"].Value;
                return;
            }
        }

        if (Suppressed.Match(t) is { Success: true } sup)
        {
            Close();
            pendingSuppressed = Num.Int(sup.Groups["n"].Value);
            return;
        }

        bool killedLine = t.IndexOf("Killed process ", StringComparison.Ordinal) >= 0;
        if (current is not null && current.KilledPids.Count > 0 && !inGroupKill && !killedLine && !t.Contains("Kill process "))
        {
            // After its kill an event only has trailing lines (reaper, oom.group); a stack dump or a report part
            // belongs to what comes next, even when that next report lost its invoked line.
            if (t.StartsWith("CPU: ", StringComparison.Ordinal) || t.StartsWith("Pid: ", StringComparison.Ordinal)) Close();
            else if (StartsEventWithoutHeader(t, false)) { Close(); }
        }
        if (current is null)
        {
            // No invoked line: remember a preamble (the CPU line tells the trigger and the kernel; it stands above
            // a whole call trace) and start an event at the first line that only an OOM report prints.
            if (!StartsEventWithoutHeader(t, killedLine))
            {
                if (preamble.Count == PreambleLines) preamble.Dequeue();
                preamble.Enqueue(line);
                return;
            }
            var before = preamble.ToArray();
            Start(line);
            current!.NotReplayable("the report has no 'invoked oom-killer' line");
            foreach (var p in before) Extract(p);
        }
        else if ((killedLine || t.Contains("Kill process ")) && current.SelectedPid is not null && current.KilledPids.Count > 0 && !inGroupKill)
        {
            // Before 5.0 the rate limit only silenced the header: "Kill process" and "Killed process" still came.
            // A second kill with no report around it: the rate limit suppressed that event's report.
            Close();
            Start(line);
            current!.NotReplayable("the kernel rate-limited this report: only its 'Killed process' line was printed");
        }
        Extract(line);
    }

    private static bool StartsEventWithoutHeader(string t, bool killedLine) =>
        killedLine || t.StartsWith("Tasks state", StringComparison.Ordinal) || t.StartsWith("oom-kill:", StringComparison.Ordinal) ||
        t.StartsWith("memory: usage ", StringComparison.Ordinal) || t.StartsWith("Task in ", StringComparison.Ordinal) ||
        t.IndexOf("Kill process ", StringComparison.Ordinal) >= 0 || t.StartsWith("Out of memory and no killable", StringComparison.Ordinal) ||
        TaskTableLayout.FromHeader(t) is not null;

    private void Start(ReportLine line)
    {
        current = new OomReport { Source = source, Index = ++events, Time = line.Stamp, SuppressedBefore = pendingSuppressed };
        pendingSuppressed = null;
        layout = null;
        inTable = inGroupKill = inMemcgStats = false;
        preamble.Clear();
    }

    private void Close()
    {
        var r = current;
        current = null;
        layout = null;
        inTable = inGroupKill = inMemcgStats = false;
        if (r is null) return;
        ReportMachineBuilder.Finish(r, killedEarlier, DefaultPageSize, InferSharingFromStats);
        foreach (var pid in r.KilledPids) killedEarlier.Add(pid);
        foreach (var tid in r.KilledTids) killedEarlier.Add(tid);
        foreach (var pid in r.reapedPids) killedEarlier.Add(pid);
        finished.Add(r);
    }
}
