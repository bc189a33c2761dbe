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
/// OOM report prints — and ends where the next one starts, or where the input ends. A <c>Killed process</c> line
/// with no report around it (the kernel rate-limits reports to 10 per 5 s) is an event of its own, kept but not
/// replayable. Never throws on bad input: what does not parse is left out.
/// <para>
/// Completion on a live source (one rule for every reader of a followed log or a stream): once an event has
/// printed its end (<see cref="HasPendingEnd"/>) and the input then pauses for <see cref="Quiet"/>, the event is
/// complete (<see cref="CompleteKilled"/>). The kernel prints a report and what follows its kill in the same
/// <c>out_of_memory</c> call under <c>oom_lock</c> (the memory.oom.group line and its kills, an mm pinned by
/// init) in one burst; only the oom_reaper's line comes later, from another thread (two seconds later since
/// 5.18), and it is attached as long as it arrives before the pause.
/// </para>
/// </summary>
public sealed partial class OomReportParser
{
    private const RegexOptions Opts = RegexOptions.Compiled | RegexOptions.CultureInvariant;

    // Every quantifier that can meet text of unbounded length is bounded, so no pattern backtracks over a whole
    // line: a match costs at most the line's length times a small constant, whatever the line holds (issue 10,
    // case 2: a lazy "(.*?)" before a literal that repeats made one crafted line cost its length squared). The
    // bounds are the kernel's own: a comm is TASK_COMM_LEN (16) bytes; taint flags one letter or space each;
    // numbers at most 20 digits; a nodemask or memcg path well under the 1024 bytes of a printk record.
    private static readonly Regex Invoked = new(
        @"^(?<comm>.{0,64}?) invoked oom-killer: gfp_mask=(?<gfp>0x[0-9a-fA-F]{1,16})(?:\((?<flags>[^)]{0,1024})\))?,(?: nodemask=(?<nm>[^,]{0,1024}),)? order=(?<order>-?\d{1,10}),(?: oom_adj=-?\d{1,10},)? oom_score_adj=(?<adj>-?\d{1,10})", Opts);
    private static readonly Regex CpuLine = new(@"^CPU: \d{1,10} (?:UID: \d{1,10} )?PID: (?<pid>\d{1,10}) Comm: (?<comm>.{1,64}?) (?:Not tainted|Tainted:)", Opts);
    private static readonly Regex OldPidLine = new(@"^Pid: (?<pid>\d{1,10}), comm: (?<comm>.{1,64}?) (?:Not tainted|Tainted:)", Opts);
    private static readonly Regex Release = new(@"(?:Not tainted|Tainted: [A-Z ]{0,64}?)\s{1,64}(?<rel>\d{1,10}\.\d{1,10}(?:\.\d{1,10})?[^\s]{0,256})", Opts);
    private static readonly Regex OldCpuset = new(@"^(?<comm>.{1,64}?) cpuset=(?<cs>\S{1,4096}) mems_allowed=(?<mems>\S{1,4096})$", Opts);
    private static readonly Regex OomKill = new(
        @"^oom-kill:constraint=(?<c>\w{1,64}),nodemask=(?<nm>[^,]{0,1024}(?:,[0-9][^,]{0,1024}){0,64}?),(?:cpuset=(?<cs>[^,]{0,4096}),mems_allowed=(?<mems>[^,]{0,1024}(?:,[0-9][^,]{0,1024}){0,64}?),)?(?:global_oom|oom_memcg=(?<om>[^,]{0,4096}))(?:,task_memcg=(?<tm>[^,]{0,4096}))?,task=(?<task>.{0,64}),pid=(?<pid>\d{1,10}),uid=(?<uid>\d{1,10})$", Opts);
    private static readonly Regex KillProcess = new(@"Kill process (?<pid>\d{1,10}) \((?<comm>.{0,64}?)\) score (?<score>\d{1,20})", Opts);
    private static readonly Regex KilledProcess = new(@"^(?:(?<msg>.{0,256}?): )?Killed process (?<pid>\d{1,10})(?:, UID \d{1,10},)? \((?<comm>.{0,64}?)\)", Opts);
    private static readonly Regex WouldHaveKilled = new(@"would have killed (?:process )?(?<pid>\d{1,10})(?: \((?<comm>.{0,64}?)\))?", Opts);
    private static readonly Regex MemcgLine = new(@"^(?<what>memory|memory\+swap|swap|kmem): usage (?<usage>\d{1,20})kB, limit (?<limit>\d{1,20})kB", Opts);
    private static readonly Regex TaskIn = new(@"^Task in (?<task>\S{1,4096}) killed as a result of limit of (?<limit>\S{1,4096})", Opts);
    private static readonly Regex GroupLine = new(@"^Tasks in (?<cg>\S{1,4096}) are going to be killed due to memory\.oom\.group set", Opts);
    private static readonly Regex Suppressed = new(@"^oom_kill_process: (?<n>\d{1,10}) callbacks suppressed", Opts);
    private static readonly Regex TotalVmKb = new(@"total-vm:(?<kb>\d{1,20})kB", Opts);
    private static readonly Regex Reaped = new(@"^oom_reaper: reaped process (?<pid>\d{1,10}) ", Opts);
    private static readonly Regex StatsFor = new(@"^Memory cgroup stats for (?<cg>\S{0,4096}?):(?<rest>.*)$", Opts);

    /// <summary>
    /// How long a live source must stay silent after an event printed its end before the event is complete: the
    /// lines <c>oom_kill_process</c> prints after the kill come microseconds apart, a writer that goes quiet for
    /// this long after them has finished the report.
    /// </summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    private readonly string source;
    private OomReport? current;
    private TaskTableLayout? layout;
    private bool inTable, inGroupKill, inMemcgStats, endPrinted;
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
        // No kernel line is this long (see LogLineReader.MaxLineLength); what fits is still read.
        if (raw.Length > LogLineReader.MaxLineLength) raw = raw.Substring(0, LogLineReader.MaxLineLength);
        if (!LineNormalizer.HasEscapes(raw)) Take(raw);
        else foreach (var part in LineNormalizer.SplitEscapes(raw)) Take(part);
        return finished;
    }

    private void Take(string part)
    {
        if (!LineNormalizer.Locate(part, out int start, out int length, out int stampStart, out int stampLength, out var stampText) || length == 0) return;
        var text = part.Substring(start, length);
        Handle(stampText is null ? new ReportLine(lineNumber, part, text, stampStart, stampLength) : new ReportLine(lineNumber, part, text, stampText));
    }

    /// <summary>Ends the input: returns the last event, if any.</summary>
    public IReadOnlyList<OomReport> Complete()
    {
        finished.Clear();
        Close();
        return finished;
    }

    /// <summary>
    /// Whether the event being read has had its <c>Killed process</c> line (the last line oom_kill_process prints
    /// for the victim): a follower of a live log may then end it with <see cref="CompleteKilled"/>.
    /// </summary>
    public bool HasPendingKill => current is { KilledPids.Count: > 0 };

    /// <summary>
    /// Whether the event being read has printed the line that ends an OOM report in <c>out_of_memory</c>: the
    /// victim's <c>Killed process</c> (<c>__oom_kill_process</c>; a rate-limited event has nothing else),
    /// <c>Out of memory and no killable processes...</c> (nothing to kill: a memcg charge fails, a global OOM
    /// panics), or a <c>would have killed</c> line. Only trailing lines can follow: after a pause the event is
    /// complete (<see cref="Quiet"/>, <see cref="CompleteKilled"/>).
    /// </summary>
    public bool HasPendingEnd => current is not null && (endPrinted || current.KilledPids.Count > 0 || current.NoKillableProcesses);

    /// <summary>
    /// The input paused after the event being read printed its end (<see cref="HasPendingEnd"/>): ends that event
    /// without waiting for the next one or the end of input, and returns it (or nothing when no end was printed).
    /// What the kernel prints later (an oom_reaper line after the pause) then stands outside it.
    /// </summary>
    public IReadOnlyList<OomReport> CompleteKilled()
    {
        finished.Clear();
        if (HasPendingEnd) Close();
        return finished;
    }

    private void Handle(ReportLine line)
    {
        var t = line.Text;
        bool kill = line.MayNameKill;
        if (kill && t.IndexOf(" invoked oom-killer: ", StringComparison.Ordinal) > 0)
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

        if (t[0] == 'o' && t.StartsWith("oom_kill_process: ", StringComparison.Ordinal) && Suppressed.Match(t) is { Success: true } sup)
        {
            Close();
            pendingSuppressed = Num.Int(sup.Groups["n"].Value);
            return;
        }

        bool killedLine = kill && t.IndexOf("Killed process ", StringComparison.Ordinal) >= 0;
        bool killLine = kill && t.IndexOf("Kill process ", StringComparison.Ordinal) >= 0;
        if (current is not null && current.KilledPids.Count > 0 && !inGroupKill && !killedLine && !killLine)
        {
            // After its kill an event only has trailing lines (reaper, oom.group); a stack dump or a report part
            // belongs to what comes next, even when that next report lost its invoked line.
            if (t.StartsWith("CPU: ", StringComparison.Ordinal) || t.StartsWith("Pid: ", StringComparison.Ordinal)) Close();
            else if (StartsEventWithoutHeader(t, false, killLine)) { Close(); }
        }
        if (current is null)
        {
            // No invoked line: remember a preamble (the CPU line tells the trigger and the kernel; it stands above
            // a whole call trace) and start an event at the first line that only an OOM report prints.
            if (!StartsEventWithoutHeader(t, killedLine, killLine))
            {
                if (preamble.Count == PreambleLines) preamble.Dequeue();
                preamble.Enqueue(line);
                return;
            }
            var before = preamble.ToArray();
            Start(line);
            foreach (var p in before) Extract(p);
        }
        else if ((killedLine || killLine) && current.SelectedPid is not null && current.KilledPids.Count > 0 && !inGroupKill)
        {
            // Before 5.0 the rate limit only silenced the header: "Kill process" and "Killed process" still came.
            // A second kill with no report around it: the rate limit suppressed that event's report.
            Close();
            Start(line);
            current!.NotReplayable("the kernel rate-limited this report: only its 'Killed process' line was printed");
        }
        Extract(line);
    }

    private static bool StartsEventWithoutHeader(string t, bool killedLine, bool killLine) =>
        killedLine || t.StartsWith("Tasks state", StringComparison.Ordinal) || t.StartsWith("oom-kill:", StringComparison.Ordinal) ||
        t.StartsWith("memory: usage ", StringComparison.Ordinal) || t.StartsWith("Task in ", StringComparison.Ordinal) ||
        killLine || t.StartsWith("Out of memory and no killable", StringComparison.Ordinal) ||
        TaskTableLayout.FromHeader(t) is not null;

    private void Start(ReportLine line)
    {
        current = new OomReport { Source = source, Index = ++events, Time = line.Stamp, SuppressedBefore = pendingSuppressed };
        pendingSuppressed = null;
        layout = null;
        inTable = inGroupKill = inMemcgStats = endPrinted = false;
        preamble.Clear();
    }

    private void Close()
    {
        var r = current;
        current = null;
        layout = null;
        inTable = inGroupKill = inMemcgStats = endPrinted = false;
        if (r is null) return;
        ReportMachineBuilder.Finish(r, killedEarlier, DefaultPageSize, InferSharingFromStats);
        foreach (var pid in r.KilledPids) killedEarlier.Add(pid);
        foreach (var tid in r.KilledTids) killedEarlier.Add(tid);
        foreach (var pid in r.reapedPids) killedEarlier.Add(pid);
        finished.Add(r);
    }
}
