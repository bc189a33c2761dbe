using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using OomTools.Engine.Reports;
using Xunit;
using static OomTools.Engine.Tests.Reports.SampleReports;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// The parser (and the machine rebuild it runs at the end of every event) never throws, whatever it is fed:
/// random bytes, truncated or shuffled real logs, huge lines, NULs, numbers no field can hold. Seeded, so a
/// failure repeats.
/// </summary>
public class ParserRobustnessTests
{
    private const int Seed = 20250817;

    /// <summary>Parses <paramref name="lines"/>; null when all went well, else what went wrong.</summary>
    private static string? Problem(IReadOnlyList<string> lines, string what)
    {
        List<OomReport>? reports = null;
        var e = Record.Exception(() => reports = ReportInput.ParseLines(lines, what));
        if (e is not null) return $"{what}: {e.GetType().Name}: {e.Message}{Environment.NewLine}  {FirstFrame(e)}{Environment.NewLine}  input: {Excerpt(lines)}";
        for (int i = 0; i < reports!.Count; i++)
        {
            var r = reports[i];
            if (r.Source is null || r.Lines is null) return $"{what}: report {i + 1} has a null Source or Lines";
            if (r.Source != what) return $"{what}: report {i + 1} has Source '{r.Source}'";
            if (r.Index != i + 1) return $"{what}: report {i + 1} has Index {r.Index}";
            if (r.Tasks is null || r.KilledPids is null || r.NotReplayableReasons is null || r.Assumptions is null)
                return $"{what}: report {i + 1} has a null list";
            if (r.Replayable && r.Machine is null) return $"{what}: report {i + 1} is replayable without a machine";
        }
        return null;
    }

    private static string FirstFrame(Exception e) =>
        (e.StackTrace ?? "").Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("OomTools.Engine", StringComparison.Ordinal)) ?? "?";

    private static string Excerpt(IReadOnlyList<string> lines)
    {
        var s = string.Join("\\n", lines);
        s = s.Replace("\0", "\\0", StringComparison.Ordinal);
        return s.Length <= 300 ? s : s.Substring(0, 300) + $"... ({s.Length} chars)";
    }

    private static void AssertNoProblems(List<string> problems, int inputs)
    {
        Assert.True(problems.Count == 0,
            $"{problems.Count} of {inputs} inputs broke the parser; the first ones:{Environment.NewLine}" +
            string.Join(Environment.NewLine, problems.Take(6)));
    }

    private static string[] Lines(string text) => ReportInput.SplitLines(text).ToArray();

    // --- random bytes -------------------------------------------------------------------------------------------

    [Fact]
    public void RandomBytes_DecodedAsText_NeverBreakTheParser()
    {
        var rnd = new Random(Seed);
        var problems = new List<string>();
        const int inputs = 2000;
        for (int n = 0; n < inputs; n++)
        {
            var bytes = new byte[rnd.Next(0, 2048)];
            rnd.NextBytes(bytes);
            // make line breaks and the characters the parser looks at common enough to matter
            for (int i = 0; i < bytes.Length; i++)
                if (rnd.Next(8) == 0) bytes[i] = (byte)"\n[] :,=()#0123456789>"[rnd.Next(21)];
            var text = n % 2 == 0 ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
            if (Problem(Lines(text), $"random#{n}") is { } p) problems.Add(p);
        }
        AssertNoProblems(problems, inputs);
    }

    // --- truncated, shuffled, duplicated real logs ------------------------------------------------------------------

    [Fact]
    public void EveryFixture_TruncatedAtRandomByteOffsets_NeverBreaksTheParser()
    {
        var rnd = new Random(Seed);
        var problems = new List<string>();
        int inputs = 0;
        foreach (var file in ReportInput.AllFiles())
        {
            var bytes = File.ReadAllBytes(file);
            for (int k = 0; k < 20; k++)
            {
                int at = rnd.Next(0, bytes.Length + 1);
                // the head (a log cut off mid-line) and the tail (a log that starts mid-event, mid-character)
                var head = Encoding.UTF8.GetString(bytes, 0, at);
                var tail = Encoding.UTF8.GetString(bytes, at, bytes.Length - at);
                inputs += 2;
                if (Problem(Lines(head), $"{Path.GetFileName(file)}[..{at}]") is { } p1) problems.Add(p1);
                if (Problem(Lines(tail), $"{Path.GetFileName(file)}[{at}..]") is { } p2) problems.Add(p2);
            }
        }
        AssertNoProblems(problems, inputs);
    }

    [Fact]
    public void EveryFixture_ShuffledDuplicatedOrReversed_NeverBreaksTheParser()
    {
        var rnd = new Random(Seed);
        var files = ReportInput.AllFiles();
        var problems = new List<string>();
        int inputs = 0;
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            var other = File.ReadAllLines(files[rnd.Next(files.Length)]);
            var variants = new List<(string, string[])>
            {
                ("shuffled", lines.OrderBy(_ => rnd.Next()).ToArray()),
                ("reversed", lines.Reverse().ToArray()),
                ("doubled", lines.SelectMany(l => rnd.Next(4) == 0 ? new[] { l, l } : new[] { l }).ToArray()),
                ("twice", lines.Concat(lines).ToArray()),
                ("interleaved", lines.Zip(other, (a, b) => new[] { a, b }).SelectMany(x => x).ToArray()),
                ("every-other", lines.Where((_, i) => i % 2 == 0).ToArray()),
            };
            for (int k = 0; k < 4; k++)
            {
                var copy = lines.ToList();
                for (int j = 0; j < 10 && copy.Count > 1; j++)
                {
                    int from = rnd.Next(copy.Count), to = rnd.Next(copy.Count);
                    copy.Insert(to, copy[from]);
                }
                variants.Add(($"dup{k}", copy.ToArray()));
            }
            foreach (var (how, v) in variants)
            {
                inputs++;
                if (Problem(v, $"{Path.GetFileName(file)}:{how}") is { } p) problems.Add(p);
            }
        }
        AssertNoProblems(problems, inputs);
    }

    private static readonly Regex Digits = new("[0-9]+", RegexOptions.CultureInvariant);

    private static readonly string[] OutOfRange =
    {
        "99999999999999999999", "9223372036854775807", "9223372036854775808", "4294967296", "2147483648",
        "18446744073709551615", "0", "00000000000000000000000000000001", "1",
    };

    private static string Mutate(string line, Random rnd)
    {
        switch (rnd.Next(6))
        {
            case 0: // one number becomes one no field can hold (or an edge value)
            case 1:
                var ms = Digits.Matches(line);
                if (ms.Count == 0) return line;
                var m = ms[rnd.Next(ms.Count)];
                return line.Substring(0, m.Index) + OutOfRange[rnd.Next(OutOfRange.Length)] + line.Substring(m.Index + m.Length);
            case 2: // every number at once
                return Digits.Replace(line, _ => OutOfRange[rnd.Next(OutOfRange.Length)]);
            case 3: // cut
                return line.Substring(0, rnd.Next(line.Length + 1));
            case 4: // a minus sign in front of a number
                var ds = Digits.Matches(line);
                if (ds.Count == 0) return line;
                var d = ds[rnd.Next(ds.Count)];
                return line.Substring(0, d.Index) + "-" + line.Substring(d.Index);
            default: // a stray character
                int at = rnd.Next(line.Length + 1);
                return line.Substring(0, at) + "\0[],=()-#>"[rnd.Next(10)] + line.Substring(at);
        }
    }

    /// <summary>Fixture lines with a few of them mutated: reaches every extractor with values it must refuse.</summary>
    private static IEnumerable<(string name, string[] lines)> MutatedFixtures(int count)
    {
        var rnd = new Random(Seed);
        var files = ReportInput.AllFiles().Select(f => (Path.GetFileName(f), File.ReadAllLines(f))).ToArray();
        for (int n = 0; n < count; n++)
        {
            var (name, lines) = files[n % files.Length];
            var copy = lines.ToArray();
            int mutations = 1 + rnd.Next(8);
            for (int j = 0; j < mutations; j++)
            {
                int i = rnd.Next(copy.Length);
                copy[i] = Mutate(copy[i], rnd);
            }
            yield return ($"{name}~{n}", copy);
        }
    }

    [Fact]
    public void FixtureLinesWithMutatedNumbers_NeverBreakTheParser()
    {
        var problems = new List<string>();
        int inputs = 0;
        foreach (var (name, lines) in MutatedFixtures(2000))
        {
            inputs++;
            if (Problem(lines, name) is { } p) problems.Add(p);
        }
        AssertNoProblems(problems, inputs);
    }

    // --- one bad line in an otherwise good event ------------------------------------------------------------------

    public static TheoryData<string, int, string> BadLines() => new()
    {
        // what, index in EventA to replace, the line
        { "task row pid", 9, "[99999999999999999999]     0  9433     9215     6110     5158      952         0    98304        0           929 python3" },
        { "task row rss", 9, "[   9433]     0  9433     9215 99999999999999999999     5158      952         0    98304        0           929 python3" },
        { "task row uid", 9, "[   9433] 99999999999  9433     9215     6110     5158      952         0    98304        0           929 python3" },
        { "task row tgid", 9, "[   9433]     0 99999999999     9215     6110     5158      952         0    98304        0           929 python3" },
        { "task row adj", 9, "[   9433]     0  9433     9215     6110     5158      952         0    98304        0    99999999999 python3" },
        { "task row long.Max", 9, "[   9433]     0  9433 9223372036854775807 9223372036854775807 9223372036854775807 9223372036854775807 9223372036854775807 9223372036854775807 9223372036854775807 929 python3" },
        { "task row long.Min", 9, "[   9433]     0  9433 -9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808 -9223372036854775808 -1000 python3" },
        { "task row pid 0", 9, "[      0]     0     0     9215     6110     5158      952         0    98304        0           929 python3" },
        { "invoked gfp_mask", 0, "python3 invoked oom-killer: gfp_mask=0xfffffffffffffffffff(GFP_KERNEL), order=0, oom_score_adj=0" },
        { "invoked order", 0, "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=99999999999999999999, oom_score_adj=0" },
        { "invoked oom_score_adj", 0, "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=99999999999999999999" },
        { "CPU line pid", 1, "CPU: 1 UID: 0 PID: 99999999999999999999 Comm: python3 Not tainted 6.18.44-fc-v657 #1 PREEMPT(none)" },
        { "CPU line release", 1, "CPU: 1 UID: 0 PID: 9442 Comm: python3 Not tainted 99999999999.99999999999.1 #1 PREEMPT(none)" },
        { "memcg usage and limit", 2, "memory: usage 99999999999999999999kB, limit 99999999999999999999kB, failcnt 71" },
        { "memcg limit long.Max", 2, "memory: usage 9223372036854775807kB, limit 9223372036854775807kB, failcnt 71" },
        { "memcg limit 0", 2, "memory: usage 0kB, limit 0kB, failcnt 71" },
        { "memsw limit", 3, "memory+swap: usage 99999999999999999999kB, limit 99999999999999999999kB, failcnt 0" },
        { "memsw usage long.Max", 3, "memory+swap: usage 9223372036854775807kB, limit 9007199254740988kB, failcnt 0" },
        { "oom-kill pid", 11, "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/lab/oomlab-9382-1000,task_memcg=/lab/oomlab-9382-1000,task=python3,pid=99999999999999999999,uid=0" },
        { "oom-kill nodes out of range", 11, "oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=0-99999,cpuset=lab,mems_allowed=0-99999,oom_memcg=/lab/oomlab-9382-1000,task_memcg=/lab/oomlab-9382-1000,task=python3,pid=9433,uid=0" },
        { "oom-kill node 64", 11, "oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=64,cpuset=lab,mems_allowed=63-64,global_oom,task_memcg=/,task=python3,pid=9433,uid=0" },
        { "oom-kill cpuset with slashes", 11, "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/a//b/,mems_allowed=,global_oom,task_memcg=//x//,task=python3,pid=9433,uid=0" },
        { "Killed process pid", 12, "Memory cgroup out of memory: Killed process 99999999999999999999 (python3) total-vm:99999999999999999999kB, anon-rss:20632kB" },
        { "Killed process total-vm", 12, "Memory cgroup out of memory: Killed process 9433 (python3) total-vm:99999999999999999999kB, anon-rss:20632kB" },
        { "Kill process score", 12, "Memory cgroup out of memory: Kill process 99999999999999999999 (python3) score 99999999999999999999 or sacrifice child" },
        { "suppressed count", 0, "oom_kill_process: 99999999999999999999 callbacks suppressed" },
        { "reaper pid", 12, "oom_reaper: reaped process 99999999999999999999 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB" },
        { "pages RAM", 2, "99999999999999999999 pages RAM" },
        { "pages RAM long.Max", 2, "9223372036854775807 pages RAM" },
        { "pages reserved", 3, "99999999999999999999 pages reserved" },
        { "total swap", 4, "Total swap = 99999999999999999999kB" },
        { "would have killed", 11, "Memory cgroup out of memory: would have killed process 99999999999999999999 (python3)" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void NumberOutOfRangeInAnyLine_NeitherParserNorRebuildThrows(string what, int index, string line)
    {
        var lines = (string[])EventA.Clone();
        lines[index] = line;

        Assert.Null(Problem(Dmesg(lines), what));
        // the bad line also on its own and in front of a good event
        Assert.Null(Problem(new[] { line }, what + " alone"));
        Assert.Null(Problem(Concat(new[] { line }, EventA), what + " first"));
    }

    [Fact]
    public void GlobalEventWithHugeTotals_NeitherParserNorRebuildThrows()
    {
        // public/04's shape with the Mem-Info totals at the edges of what a long holds
        var lines = new[]
        {
            "kworker/0:2 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0",
            "Total swap = 9223372036854775807kB",
            "9223372036854775807 pages RAM",
            "0 pages reserved",
            "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
            "[    651]     0   651 9223372036854775807 9223372036854775807 9223372036854775807 9223372036854775807 1000 unattended-upgr",
            "[    652]     0   652    27005     5232   106496        0             0 x",
            "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=unattended-upgr,pid=651,uid=0",
            "Out of memory: Killed process 651 (unattended-upgr) total-vm:108020kB",
        };

        Assert.Null(Problem(lines, "huge totals"));
        Assert.Null(Problem(lines.Select(l => l.Replace("9223372036854775807", "-9223372036854775808", StringComparison.Ordinal)).ToArray(), "negative totals"));
    }

    // --- odd lines -------------------------------------------------------------------------------------------

    public static TheoryData<string, string> OddLines() => new()
    {
        { "open bracket", "[" },
        { "close bracket", "]" },
        { "empty brackets", "[]" },
        { "pid header stub", "[ pid ]" },
        { "wide pid header stub", "[  pid  ]" },
        { "pid header, name only", "[ pid ] name" },
        { "unclosed row", "[ 123" },
        { "NUL", "\0" },
        { "NULs", "\0\0\0\0" },
        { "NUL in brackets", "[\0]" },
        { "NUL in a row", "[   9433]\0    0  9433     9215     6110     5158      952         0    98304        0           929 python3" },
        { "NUL name", "[   9433]     0  9433     9215     6110     5158      952         0    98304        0           929 \0" },
        { "stamp only", "[  385.502103]" },
        { "dmesg -T stamp only", "[Di Aug 12 03:54:03 2025]" },
        { "syslog prefix only", "May 17 17:00:28 localhost kernel:" },
        { "quote marks only", "> > > >" },
        { "escapes only", "#012#012#011#012" },
        { "lone surrogate", "\ud800 invoked oom-killer: gfp_mask=0xcc0, order=0, oom_score_adj=0" },
        { "100k letters", new string('a', 100_000) },
        { "100k open brackets", new string('[', 100_000) },
        { "100k quote marks", new string('>', 100_000) },
        { "100k spaces", new string(' ', 100_000) },
        { "100k NULs", new string('\0', 100_000) },
        { "100k #012", string.Concat(Enumerable.Repeat("#012", 25_000)) },
        { "header with 100k columns", "[  pid  ] " + string.Concat(Enumerable.Repeat("uid ", 25_000)) + "name" },
        { "row with 100k numbers", "[   9433] " + string.Concat(Enumerable.Repeat("1 ", 50_000)) + "python3" },
        { "row with a 100k name", "[   9433]     0  9433     9215     6110     5158      952         0    98304        0           929 " + new string('x', 100_000) },
        { "invoked with a 100k comm", new string('p', 100_000) + " invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0" },
        { "oom-kill with 100k commas", "oom-kill:constraint=CONSTRAINT_NONE,nodemask=" + string.Concat(Enumerable.Repeat("0,", 50_000)) + "global_oom,task=x,pid=1,uid=0" },
        { "Killed process with 100k comm", "Out of memory: Killed process 9433 (" + new string('y', 100_000) + ")" },
        { "100k 'Killed process '", string.Concat(Enumerable.Repeat("Killed process ", 6_700)) },
    };

    [Theory]
    [MemberData(nameof(OddLines))]
    public void OddLine_AloneOrInsideAnEvent_NeverBreaksTheParser(string what, string line)
    {
        Assert.Null(Problem(new[] { line }, what));
        // before the invoked line, the task-table header, a row and after the Killed line; instead of the
        // invoked line, a row and the Killed line (fewer places for the huge lines, which are slow to normalize)
        var before = line.Length > 50_000 ? new[] { 9 } : new[] { 0, 7, 9, 10, 13 };
        var instead = line.Length > 50_000 ? new[] { 12 } : new[] { 0, 7, 9, 11, 12 };
        foreach (int at in before)
        {
            var lines = EventA.Take(at).Append(line).Concat(EventA.Skip(at)).ToArray();
            Assert.Null(Problem(lines, $"{what} before line {at}"));
        }
        foreach (int at in instead)
        {
            var lines = (string[])EventA.Clone();
            lines[at] = line;
            Assert.Null(Problem(lines, $"{what} instead of line {at}"));
        }
    }

    [Fact]
    public void LongLineOfTimeLikeTextInAnOpenBracket_IsReadInReasonableTime()
    {
        // "[" and 100k characters of clock times with no closing bracket: the dmesg -T pattern must not backtrack for long
        var line = "[" + string.Concat(Enumerable.Repeat("12:34:56 ", 11_000));
        var sw = Stopwatch.StartNew();

        Assert.Null(Problem(new[] { line }, "clock times"));

        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"one 100k line took {sw.Elapsed.TotalSeconds:F1} s");
    }

    [Theory]
    [InlineData(">")]
    [InlineData("> ")]
    [InlineData(" ")]
    [InlineData("[")]
    [InlineData("#012")]
    public void HundredThousandCharacterLine_IsNormalizedInLinearTime(string unit)
    {
        // a linear pass over 100k characters takes well under a millisecond; half a second leaves room for any machine
        var line = string.Concat(Enumerable.Repeat(unit, 100_000 / unit.Length));
        LineNormalizer.Normalize("warm-up", out _);
        var sw = Stopwatch.StartNew();

        foreach (var part in LineNormalizer.SplitEscapes(line)) LineNormalizer.Normalize(part, out _);

        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(0.5), $"100k of '{unit}' took {sw.Elapsed.TotalSeconds:F2} s");
    }

    [Fact]
    public void FeedNull_IsIgnored()
    {
        var parser = new OomReportParser("nulls");
        Assert.Empty(parser.Feed(null!));
        foreach (var l in Dmesg(EventA)) parser.Feed(l);
        Assert.Empty(parser.Feed(null!));
        var report = Assert.Single(parser.Complete());
        Assert.Equal(9433, report.SelectedPid);
        Assert.Empty(parser.Complete());
    }

    [Fact]
    public void MutatedReportsThatStillHaveAMachine_ReplayWithoutThrowing()
    {
        var problems = new List<string>();
        int replays = 0;
        foreach (var (name, lines) in MutatedFixtures(400))
        {
            List<OomReport> reports;
            try { reports = ReportInput.ParseLines(lines, name); }
            catch { continue; } // the parser test above reports those
            foreach (var r in reports.Where(r => r.Machine is not null))
            {
                replays++;
                var e = Record.Exception(() => ReportReplay.Replay(r, r.Machine!.Clone()));
                if (e is not null && e is not OomEngineException)
                    problems.Add($"{name} #{r.Index}: {e.GetType().Name}: {e.Message}{Environment.NewLine}  {FirstFrame(e)}");
            }
        }
        Assert.True(replays > 100, $"only {replays} replays");
        AssertNoProblems(problems, replays);
    }
}
