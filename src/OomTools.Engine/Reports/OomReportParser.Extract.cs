using System;
using System.Globalization;
using System.Text.RegularExpressions;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Reports;

public sealed partial class OomReportParser
{
    /// <summary>Takes what a line of the current event says into the report.</summary>
    private void Extract(ReportLine line)
    {
        var r = current!;
        var t = line.Text;
        // After its kill an event has only trailing lines (more kills for oom.group or a sacrificed child, the
        // reaper, a pinned mm); anything else is the log going on, not the event's.
        bool kill = line.MayNameKill;
        if (r.killedPids.Count > 0 && !inGroupKill && !inTable && !IsTrailing(t, kill)) return;
        r.lines.Add(line);
        r.Time ??= line.Stamp;

        if (inTable)
        {
            if (t.StartsWith("[", StringComparison.Ordinal))
            {
                if (layout!.ParseRow(t, line.Number) is { } row) r.tasks.Add(row);
                return; // a cut row is skipped
            }
            // Another CPU's message may land between rows; only what follows a table in a report ends it.
            if (!EndsTable(t, kill)) return;
            inTable = false;
        }

        if (t.StartsWith("[", StringComparison.Ordinal) && TaskTableLayout.FromHeader(t) is { } header)
        {
            layout = header;
            inTable = true;
            r.HasTaskTable = true;
            r.TaskTableColumns = header.Columns;
            return;
        }

        if (TakeMemcgStats(r, t)) return;

        // Each pattern runs only on a line holding the literal text it needs (a first character, a prefix or a
        // phrase, found by a vectorised search): most lines of a report match none, and a failed match of a pattern
        // that starts with a bounded lazy run (KilledProcess, OldCpuset) tries every position of it.
        Match m;
        char first = t[0];
        if ((first == 'C' && t.StartsWith("CPU: ", StringComparison.Ordinal) && (m = CpuLine.Match(t)).Success)
            || (first == 'P' && t.StartsWith("Pid: ", StringComparison.Ordinal) && (m = OldPidLine.Match(t)).Success))
        {
            r.TriggerPid ??= Num.Int(m.Groups["pid"].Value);
            r.TriggerName ??= m.Groups["comm"].Value;
            var rel = Release.Match(t);
            if (rel.Success) SetRelease(r, rel.Groups["rel"].Value);
            return;
        }
        if (t.EndsWith(" pages RAM", StringComparison.Ordinal)) { r.Ram = LeadingPages(t); return; }
        if (t.EndsWith(" pages reserved", StringComparison.Ordinal) && !t.Contains("cma")) { r.Reserved = LeadingPages(t); return; }
        if (t.StartsWith("Total swap = ", StringComparison.Ordinal)) { r.TotalSwap = KbAfter(t, "Total swap = "); return; }
        if (t.StartsWith("Free swap", StringComparison.Ordinal)) { r.FreeSwap = KbAfter(t, "="); return; }
        if (line.MayHoldEquals && t.Contains("hugepages_total=")) { r.hugepages.Add(t); return; }

        if ((first is 'm' or 's' or 'k') && (m = MemcgLine.Match(t)).Success)
        {
            var usage = new Kibibytes(Num.Long(m.Groups["usage"].Value));
            var limit = new Kibibytes(Num.Long(m.Groups["limit"].Value));
            switch (m.Groups["what"].Value)
            {
                case "memory": r.MemcgUsage = usage; r.MemcgLimit = limit; break;
                case "memory+swap": r.MemswUsage = usage; r.MemswLimit = limit; r.CgroupVersion = CgroupVersion.V1; break;
                case "swap": r.SwapUsage = usage; r.SwapLimit = limit; r.CgroupVersion = CgroupVersion.V2; break;
                case "kmem": r.KmemUsage = usage; break;
            }
            r.Constraint ??= OomConstraint.Memcg;
            return;
        }
        if (first == 'T' && t.StartsWith("Task in ", StringComparison.Ordinal) && (m = TaskIn.Match(t)).Success)
        {
            r.TaskMemcg = m.Groups["task"].Value;
            r.OomMemcg = m.Groups["limit"].Value;
            r.Constraint = OomConstraint.Memcg;
            return;
        }
        if (line.MayHoldEquals && t.IndexOf(" cpuset=", StringComparison.Ordinal) > 0 && (m = OldCpuset.Match(t)).Success)
        {
            r.Cpuset ??= m.Groups["cs"].Value;
            r.MemsAllowed ??= m.Groups["mems"].Value;
            return;
        }
        if (t.StartsWith("oom-kill:", StringComparison.Ordinal) && (m = OomKill.Match(t)).Success)
        {
            r.Constraint = ParseConstraint(m.Groups["c"].Value);
            var nm = m.Groups["nm"].Value;
            r.Nodemask = nm == "(null)" ? null : nm;
            if (m.Groups["cs"].Success) { r.Cpuset = m.Groups["cs"].Value; r.MemsAllowed = m.Groups["mems"].Value; }
            if (m.Groups["om"].Success) r.OomMemcg = m.Groups["om"].Value;
            if (m.Groups["tm"].Success) r.TaskMemcg = m.Groups["tm"].Value;
            // The chosen task: the oom-kill line names oc->chosen (the thread-group leader).
            r.SelectedPid ??= Num.Int(m.Groups["pid"].Value);
            r.SelectedName ??= m.Groups["task"].Value;
            return;
        }
        if (kill && t.IndexOf("Kill process ", StringComparison.Ordinal) >= 0 && (m = KillProcess.Match(t)).Success)
        {
            // Before 5.1: the chosen one; a child of it may be killed instead ("or sacrifice child").
            r.SelectedPid = Num.Int(m.Groups["pid"].Value);
            r.SelectedName = m.Groups["comm"].Value;
            r.SelectedScore = Num.Long(m.Groups["score"].Value);
            SetKillMessage(r, t.Substring(0, m.Index));
            return;
        }
        if (kill && t.IndexOf("Killed process ", StringComparison.Ordinal) >= 0 && (m = KilledProcess.Match(t)).Success)
        {
            int pid = Num.Int(m.Groups["pid"].Value);
            if (!r.killedPids.Contains(pid)) r.killedPids.Add(pid);
            if (r.SelectedPid is null) { r.SelectedPid = pid; r.SelectedName = m.Groups["comm"].Value; }
            var vm = TotalVmKb.Match(t);
            if (vm.Success && r.KilledTotalVm is null)
            {
                r.KilledTotalVm = new Kibibytes(Num.Long(vm.Groups["kb"].Value));
                r.KilledTotalVmPid = pid;
            }
            if (m.Groups["msg"].Success) SetKillMessage(r, m.Groups["msg"].Value);
            return;
        }
        if (kill && t.IndexOf("would have killed ", StringComparison.Ordinal) >= 0 && (m = WouldHaveKilled.Match(t)).Success)
        {
            endPrinted = true;
            r.SelectedPid ??= Num.Int(m.Groups["pid"].Value);
            if (m.Groups["comm"].Success) r.SelectedName ??= m.Groups["comm"].Value;
            return;
        }
        if (first == 'T' && t.StartsWith("Tasks in ", StringComparison.Ordinal) && (m = GroupLine.Match(t)).Success) { r.OomGroup = m.Groups["cg"].Value; inGroupKill = true; return; }
        if (first == 'o' && t.StartsWith("oom_reaper: reaped process ", StringComparison.Ordinal) && (m = Reaped.Match(t)).Success) { r.reapedPids.Add(Num.Int(m.Groups["pid"].Value)); return; }
        if (t.StartsWith("Out of memory and no killable processes", StringComparison.Ordinal)) r.NoKillableProcesses = true;
    }

    /// <summary>
    /// The <c>Memory cgroup stats for PATH:</c> block: its header, then one <c>key bytes</c> line each (v1 memory.stat,
    /// v2 memory.stat) until a line of another shape; or, before 4.19, one line per cgroup with <c>key:NKB</c> pairs.
    /// </summary>
    private bool TakeMemcgStats(OomReport r, string t)
    {
        Match m;
        if (t.StartsWith("Memory cgroup stats for ", StringComparison.Ordinal) && (m = StatsFor.Match(t)).Success)
        {
            var rest = m.Groups["rest"].Value;
            bool first = r.MemcgStats is null;
            var stats = r.MemcgStats ??= new MemcgStatLines();
            inMemcgStats = rest.Trim().Length == 0;
            TakeOldStatPairs(stats, rest, first);
            return true;
        }
        if (!inMemcgStats) return false;
        if (StatLineKeyLength(t) is > 0 and var keyLength && r.MemcgStats is { } s)
        {
            // A block has dozens of lines and keeps a few of them: the number is read in place, the key only made
            // for a line that is kept.
            long bytes = AsciiNumber(t, keyLength + 1) ?? Num.Long(t.Substring(keyLength + 1));
            if (bytes >= 0 && MemcgStatLines.Keeps(t, keyLength)) s.Take(t.Substring(0, keyLength), new Bytes(bytes));
            return true;
        }
        inMemcgStats = false;
        return false;
    }

    /// <summary>
    /// The <c>key:NKB</c> pairs of a pre-4.19 stats line, scanned by hand in one pass: a regex looking for them at
    /// every position of a long run of letters read the run again from each of its characters.
    /// </summary>
    private static void TakeOldStatPairs(MemcgStatLines stats, string rest, bool first)
    {
        for (int colon = rest.IndexOf(':'); colon >= 0; colon = rest.IndexOf(':', colon + 1))
        {
            int keyStart = colon;
            while (keyStart > 0 && colon - keyStart < 64 && IsKeyChar(rest[keyStart - 1])) keyStart--;
            int digits = colon + 1;
            while (digits < rest.Length && digits - colon <= 20 && rest[digits] >= '0' && rest[digits] <= '9') digits++;
            if (keyStart == colon || digits == colon + 1 || digits + 1 >= rest.Length || rest[digits] != 'K' || rest[digits + 1] != 'B') continue;
            long kb = Num.Long(rest.Substring(colon + 1, digits - colon - 1));
            if (kb <= long.MaxValue / 1024) stats.TakeOldLine(rest.Substring(keyStart, colon - keyStart), new Bytes(kb * 1024), first);
        }
    }

    /// <summary>
    /// The length of the key of a <c>key value</c> stat line (<c>^[a-z_]{1,64} \d{1,20}$</c>, read by hand: a block
    /// has dozens of them), or 0 when the line has another shape.
    /// </summary>
    private static int StatLineKeyLength(string t)
    {
        int key = 0;
        while (key < t.Length && key <= 64 && IsKeyChar(t[key])) key++;
        if (key == 0 || key > 64 || key >= t.Length || t[key] != ' ') return 0;
        int digits = t.Length - key - 1;
        if (digits < 1 || digits > 20) return 0;
        for (int i = key + 1; i < t.Length; i++) if (!char.IsDigit(t[i])) return 0;
        return key;
    }

    /// <summary>The number from <paramref name="start"/> to the end when it is up to 18 ASCII digits; else null.</summary>
    private static long? AsciiNumber(string t, int start)
    {
        if (t.Length - start is < 1 or > 18) return null;
        long value = 0;
        for (int i = start; i < t.Length; i++)
        {
            int d = t[i] - '0';
            if ((uint)d > 9) return null;
            value = value * 10 + d;
        }
        return value;
    }

    private static bool IsKeyChar(char c) => (c >= 'a' && c <= 'z') || c == '_';

    private static bool IsTrailing(string t, bool kill) =>
        t.StartsWith("oom_reaper:", StringComparison.Ordinal) || (kill && (t.Contains("Killed process ") || t.Contains("Kill process ") ||
        t.Contains("would have killed"))) || t.StartsWith("Tasks in ", StringComparison.Ordinal) || t.Contains(" has mm pinned by ");

    private static bool EndsTable(string t, bool kill) =>
        t.StartsWith("oom-kill:", StringComparison.Ordinal) || (kill && (t.Contains("Kill process ") || t.Contains("Killed process "))) ||
        t.StartsWith("Out of memory", StringComparison.Ordinal) || t.StartsWith("Memory cgroup out of memory", StringComparison.Ordinal) ||
        t.StartsWith("Tasks in ", StringComparison.Ordinal) || (kill && t.Contains(" invoked oom-killer: ")) || t.StartsWith("oom_reaper:", StringComparison.Ordinal) ||
        (kill && t.Contains("would have killed"));

    private static void SetKillMessage(OomReport r, string prefix)
    {
        var msg = prefix.Trim().TrimEnd(':');
        if (msg.Length > 0) r.KillMessage ??= msg;
        if (msg.StartsWith("Memory cgroup", StringComparison.Ordinal)) r.Constraint ??= OomConstraint.Memcg;
    }

    private static void SetRelease(OomReport r, string release)
    {
        r.KernelRelease ??= release;
        r.KernelVersion ??= Kernels.KernelRules.ParseRelease(release);
    }

    private static OomConstraint ParseConstraint(string text) => text switch
    {
        "CONSTRAINT_CPUSET" => OomConstraint.Cpuset,
        "CONSTRAINT_MEMORY_POLICY" => OomConstraint.MemoryPolicy,
        "CONSTRAINT_MEMCG" => OomConstraint.Memcg,
        _ => OomConstraint.None,
    };

    /// <summary>The count that starts a Mem-Info line such as <c>5241540 pages RAM</c>.</summary>
    private static Pages? LeadingPages(string t)
    {
        int i = 0;
        while (i < t.Length && char.IsDigit(t[i])) i++;
        return i > 0 && long.TryParse(t.Substring(0, i), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? new Pages(v) : null;
    }

    private static Kibibytes? KbAfter(string t, string marker)
    {
        int at = t.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) return null;
        var rest = t.Substring(at + marker.Length).Trim();
        int end = rest.IndexOf("kB", StringComparison.Ordinal);
        if (end < 0) return null;
        return long.TryParse(rest.Substring(0, end).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? new Kibibytes(v) : null;
    }
}
