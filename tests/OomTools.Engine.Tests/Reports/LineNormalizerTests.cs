using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Reports;
using Xunit;

namespace OomTools.Engine.Tests.Reports;

/// <summary>LineNormalizer: the kernel message out of every carrier a report reaches us in.</summary>
public class LineNormalizerTests
{
    private const string Invoked = "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0";

    [Theory]
    [InlineData("[  123.456789] " + Invoked, "123.456789")]
    [InlineData("[    0.000000] " + Invoked, "0.000000")]
    [InlineData("[2486967.059804] " + Invoked, "2486967.059804")]
    [InlineData("[Di Aug 12 03:54:03 2025] " + Invoked, "Di Aug 12 03:54:03 2025")]
    [InlineData("[Tue Aug 12 03:54:03 2025] " + Invoked, "Tue Aug 12 03:54:03 2025")]
    [InlineData("[Mo Mär  3 07:01:02 2025] " + Invoked, "Mo Mär  3 07:01:02 2025")]
    [InlineData("May 17 17:00:28 localhost kernel: " + Invoked, "May 17 17:00:28")]
    [InlineData("Dec  3 07:01:02 host kernel: " + Invoked, "Dec  3 07:01:02")]
    [InlineData("2024-05-17T19:54:29.123456+02:00 ubuntu-vm kernel: " + Invoked, "2024-05-17T19:54:29.123456+02:00")]
    [InlineData("Dec 20 03:17:52 localhost kernel: [75669.581768] " + Invoked, "75669.581768")]
    [InlineData("[  385.502103] ubuntu-vm kernel: " + Invoked, "385.502103")]
    [InlineData("<4>[  385.502103] " + Invoked, "385.502103")]
    [InlineData("kern  :warn  : [  385.502103] " + Invoked, "385.502103")]
    [InlineData("> [  148.820369] " + Invoked, "148.820369")]
    [InlineData(">> [  148.820369] " + Invoked, "148.820369")]
    [InlineData("> > May 17 17:00:28 localhost kernel: " + Invoked, "May 17 17:00:28")]
    [InlineData("      " + Invoked, null)]
    [InlineData(Invoked, null)]
    public void Normalize_TakesTheCarrierOffAndKeepsTheStamp(string raw, string? stamp)
    {
        var text = LineNormalizer.Normalize(raw, out var gotStamp);

        Assert.Equal(Invoked, text);
        Assert.Equal(stamp, gotStamp);
    }

    [Theory]
    [InlineData("May 17 19:54:29 ubuntu-vm systemd[1]: docker-3193584578ea.scope: A process of this unit has been killed by the OOM killer.")]
    [InlineData("May 17 19:54:30 ubuntu-vm systemd[1]: docker-3193584578ea.scope: Failed with result 'oom-kill'.")]
    [InlineData("May  7 03:17:52 localhost CRON[1234]: (root) CMD (run-parts /etc/cron.hourly)")]
    [InlineData("2024-05-17T19:54:29.123456+02:00 ubuntu-vm systemd-oomd[611]: Killed /user.slice/user-1000.slice due to memory pressure")]
    public void Normalize_AnotherProgramsJournalLineIsNotAKernelLine(string raw)
    {
        Assert.Null(LineNormalizer.Normalize(raw, out var stamp));
        Assert.Null(stamp);
    }

    [Theory]
    [InlineData("[   9424]     0  9424     6143     4572     3366      950       256    86016        0             0 python3")]
    [InlineData("[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name")]
    [InlineData("[ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name")]
    public void Normalize_ABareTaskTableLineIsNotMistakenForAStamp(string row)
    {
        Assert.Equal(row, LineNormalizer.Normalize(row, out var stamp));
        Assert.Null(stamp);
        Assert.Equal(row, LineNormalizer.Normalize("[  385.502345] " + row, out stamp));
        Assert.Equal("385.502345", stamp);
        Assert.Equal(row, LineNormalizer.Normalize("[Di Aug 12 03:54:03 2025] " + row, out stamp));
        Assert.Equal("Di Aug 12 03:54:03 2025", stamp);
    }

    [Fact]
    public void SplitEscapes_Rsyslog012IsANewLineAnd011ATab()
    {
        var parts = LineNormalizer.SplitEscapes("kernel: Mem-Info:#012active_anon:221 inactive_anon:14331#011isolated_anon:0#012").ToArray();

        Assert.Equal(new[] { "kernel: Mem-Info:", "active_anon:221 inactive_anon:14331\tisolated_anon:0", "" }, parts);
    }

    [Fact]
    public void SplitEscapes_ALineWithoutEscapesIsReturnedAsItIs()
    {
        var raw = "[  385.502103] CPU: 1 UID: 0 PID: 9442 Comm: python3 Not tainted 6.18.44-fc-v657 #1 PREEMPT(none) ";

        Assert.Equal(new[] { raw }, LineNormalizer.SplitEscapes(raw).ToArray());
    }

    // --- the same event through every carrier: the parser must see the same kernel text ------------------------

    public static TheoryData<string, string?> Carriers() => new()
    {
        // carrier, the stamp the event's first line gives (Time)
        { "dmesg", "385.502103" },
        { "dmesg -T de", "Di Aug 12 03:54:03 2025" },
        { "dmesg -T en", "Tue Aug 12 03:54:03 2025" },
        { "syslog", "May 17 17:00:28" },
        { "syslog one-digit day", "May  7 17:00:28" },
        { "syslog + dmesg stamp", "75669.581768" },
        { "iso syslog", "2024-05-17T19:54:29.123456+02:00" },
        { "journal short-monotonic", "385.502103" },
        { "quoted", "148.820369" },
        { "quoted twice", "148.820369" },
        { "indented", null },
        { "bare", null },
        { "syslog with other programs interleaved", "May 17 17:00:28" },
        { "dmesg -x with levels", "385.502103" },
    };

    private static IEnumerable<string> Carry(string carrier, string[] lines)
    {
        for (int i = 0; i < lines.Length; i++)
        {
            string t = lines[i];
            switch (carrier)
            {
                case "dmesg": yield return SampleReports.Stamp(385_502_103 + i) + t; break;
                case "dmesg -T de": yield return "[Di Aug 12 03:54:03 2025] " + t; break;
                case "dmesg -T en": yield return "[Tue Aug 12 03:54:03 2025] " + t; break;
                case "syslog": yield return "May 17 17:00:28 localhost kernel: " + t; break;
                case "syslog one-digit day": yield return "May  7 17:00:28 localhost kernel: " + t; break;
                case "syslog + dmesg stamp": yield return "Dec 20 03:17:52 localhost kernel: " + SampleReports.Stamp(75669_581768 + i) + t; break;
                case "iso syslog": yield return "2024-05-17T19:54:29.123456+02:00 ubuntu-vm kernel: " + t; break;
                case "journal short-monotonic": yield return SampleReports.Stamp(385_502_103 + i) + "ubuntu-vm kernel: " + t; break;
                case "quoted": yield return "> " + SampleReports.Stamp(148_820_369 + i) + t; break;
                case "quoted twice": yield return ">> " + SampleReports.Stamp(148_820_369 + i) + t; break;
                case "indented": yield return "    " + t; break;
                case "bare": yield return t; break;
                case "syslog with other programs interleaved":
                    yield return "May 17 17:00:28 localhost kernel: " + t;
                    yield return "May 17 17:00:28 localhost systemd[1]: Started Session 5 of user root.";
                    yield return "May 17 17:00:28 localhost CRON[4242]: (root) CMD (command -v debian-sa1 > /dev/null)";
                    break;
                case "dmesg -x with levels": yield return "kern  :info  : " + SampleReports.Stamp(385_502_103 + i) + t; break;
                default: throw new ArgumentException(carrier);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Carriers))]
    public void AnyCarrier_GivesTheParserTheSameEvent(string carrier, string? time)
    {
        var report = Assert.Single(ReportInput.ParseLines(Carry(carrier, SampleReports.EventA)));

        Assert.Equal(time, report.Time);
        Assert.Equal(9433, report.SelectedPid);
        Assert.Equal(new[] { 9424, 9433, 9442 }, report.Tasks.Select(t => t.Pid).ToArray());
        Assert.Equal(163840, report.MemcgLimitKb);
        Assert.Equal(new Version(6, 18), report.KernelVersion);
        Assert.Equal(9442, report.TriggerPid);
        Assert.True(report.Replayable, report.NotReplayableReason);
        var outcome = ReportReplay.Replay(report, report.Machine!.Clone());
        Assert.True(outcome.AgreesWithKernel, outcome.Disagreement);
        Assert.Equal(43294, outcome.VictimPoints);
        // every line of the event, its invoked line first, with the carrier taken off
        Assert.Equal(SampleReports.EventA, report.Lines.Select(l => l.Text).ToArray());
    }

    [Fact]
    public void Rsyslog012_OnePhysicalLineBecomesManyLinesOfTheSameEvent()
    {
        var a = SampleReports.EventA;
        const string P = "May 17 17:00:28 localhost kernel: ";
        var input = new List<string>();
        input.AddRange(a.Take(6).Select(l => P + l));
        // Tasks state, the header and the three rows in one physical line (line 7)
        input.Add(P + string.Join("#012", a.Skip(6).Take(5)));
        input.AddRange(a.Skip(11).Select(l => P + l));

        var report = Assert.Single(ReportInput.ParseLines(input));

        Assert.Equal(new[] { 9424, 9433, 9442 }, report.Tasks.Select(t => t.Pid).ToArray());
        Assert.All(report.Tasks, t => Assert.Equal(7, t.LineNumber));
        Assert.Equal(9433, report.SelectedPid);
        Assert.True(report.Replayable, report.NotReplayableReason);
        Assert.Equal(new[] { 7, 7, 7, 7, 7, 8, 9 }, report.Lines.Skip(report.Lines.Count - 7).Select(l => l.Number).ToArray());
        Assert.Equal(a, report.Lines.Select(l => l.Text).ToArray());
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7, 8, 9 }, report.Lines.Select(l => l.Number).ToArray());
    }
}
