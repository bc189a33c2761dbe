using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Reports;
using Xunit;
using static OomTools.Engine.Tests.Reports.SampleReports;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// How the parser cuts a log into events: where one starts and ends, what a lone or missing line means, and what
/// one event tells the next.
/// </summary>
public class ReportSegmentationTests
{
    private static string[] Without(string[] lines, params int[] indexes) =>
        lines.Where((_, i) => !indexes.Contains(i)).ToArray();

    private static string[] Insert(string[] lines, int before, params string[] extra) =>
        lines.Take(before).Concat(extra).Concat(lines.Skip(before)).ToArray();

    [Fact]
    public void SeveralEvents_ComeBackInOrderEachWithOnlyItsOwnLines()
    {
        var reports = ReportInput.ParseLines(Dmesg(Concat(EventA, EventB)));

        Assert.Equal(2, reports.Count);
        Assert.Equal(new[] { 1, 2 }, reports.Select(r => r.Index).ToArray());
        Assert.Equal(new int?[] { 9433, 9442 }, reports.Select(r => r.SelectedPid).ToArray());
        Assert.Equal("385.502103", reports[0].Time);
        Assert.Equal("385.502116", reports[1].Time); // 13 lines later
        Assert.Equal(new[] { 9424, 9433, 9442 }, reports[0].Tasks.Select(t => t.Pid).ToArray());
        Assert.Equal(new[] { 9424, 9442 }, reports[1].Tasks.Select(t => t.Pid).ToArray());
        Assert.All(reports, r => Assert.True(ReportReplay.Replay(r, r.Machine!.Clone()).AgreesWithKernel));
        Assert.Equal(EventA, reports[0].Lines.Select(l => l.Text).ToArray());
        Assert.Equal(EventB, reports[1].Lines.Select(l => l.Text).ToArray());
        Assert.Equal(14, reports[1].Lines[0].Number);
    }

    [Fact]
    public void Lines_BeginWithTheEventsInvokedLine()
    {
        var report = Assert.Single(ReportInput.ParseLines(Dmesg(EventA)));

        Assert.Equal(EventA.Length, report.Lines.Count);
        Assert.Equal(1, report.Lines[0].Number);
        Assert.Equal(EventA[0], report.Lines[0].Text);
        Assert.Equal("[  385.502103] " + EventA[0], report.Lines[0].Raw);
    }

    [Fact]
    public void Feed_HandsAnEventBackWhenTheNextOneStartsAndTheLastOneOnComplete()
    {
        var parser = new OomReportParser("stream");
        var lines = Dmesg(Concat(EventA, EventB));
        var returnedAt = new List<(int line, int pid)>();
        for (int i = 0; i < lines.Length; i++)
            foreach (var r in parser.Feed(lines[i])) returnedAt.Add((i + 1, r.SelectedPid!.Value));
        foreach (var r in parser.Complete()) returnedAt.Add((0, r.SelectedPid!.Value));

        // event A closes on line 14 (B's invoked line); B only on Complete
        Assert.Equal(new[] { (14, 9433), (0, 9442) }, returnedAt.ToArray());
    }

    [Fact]
    public void UnrelatedKernelLinesBetweenTheReportsParts_DoNotChangeTheEvent()
    {
        var input = Insert(Insert(Insert(EventA, 12,
                    "audit: type=1400 audit(1715961628.123:42): apparmor=\"DENIED\" operation=\"open\" profile=\"snap.lxd\""),
                6, "IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready"),
            2, "usb 1-1: new high-speed USB device number 3 using xhci_hcd");

        var report = Assert.Single(ReportInput.ParseLines(Dmesg(input)));

        Assert.Equal(new[] { 9424, 9433, 9442 }, report.Tasks.Select(t => t.Pid).ToArray());
        Assert.Equal(9433, report.SelectedPid);
        Assert.Equal(new[] { 9433 }, report.KilledPids);
        Assert.Equal(163840, report.MemcgLimitKb);
        Assert.Equal(new Version(6, 18), report.KernelVersion);
        Assert.True(report.Replayable, report.NotReplayableReason);
        Assert.True(ReportReplay.Replay(report, report.Machine!.Clone()).AgreesWithKernel);
        Assert.Equal(input, report.Lines.Select(l => l.Text).ToArray());
    }

    [Fact]
    public void UnrelatedKernelLineInsideTheTaskTable_KeepsTheRowsAfterIt()
    {
        // printk from another CPU can land between two dump_task rows in the ring buffer
        var input = Insert(EventA, 9, "usb 1-1: USB disconnect, device number 3");

        var report = Assert.Single(ReportInput.ParseLines(Dmesg(input)));

        Assert.Equal(new[] { 9424, 9433, 9442 }, report.Tasks.Select(t => t.Pid).ToArray());
        Assert.True(ReportReplay.Replay(report, report.Machine!.Clone()).AgreesWithKernel);
    }

    [Fact]
    public void LoneKilledLineAfterAFullEvent_IsARateLimitedEventOfItsOwn()
    {
        var input = Concat(EventA, new[]
        {
            RateLimitedKill,
            "oom_reaper: reaped process 9424 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
        });

        var reports = ReportInput.ParseLines(Dmesg(input));

        Assert.Equal(2, reports.Count);
        var full = reports[0];
        Assert.Equal(9433, full.SelectedPid);
        Assert.Equal(new[] { 9433 }, full.KilledPids);
        Assert.True(full.Replayable, full.NotReplayableReason);

        var limited = reports[1];
        Assert.Equal(2, limited.Index);
        Assert.Equal(9424, limited.SelectedPid);
        Assert.Equal("python3", limited.SelectedName);
        Assert.Equal(new[] { 9424 }, limited.KilledPids);
        Assert.False(limited.HasTaskTable);
        Assert.Null(limited.Machine);
        Assert.False(limited.Replayable);
        Assert.Contains("rate-limit", limited.NotReplayableReason);
        Assert.Equal(2, limited.Lines.Count);
        Assert.Equal("Memory cgroup out of memory", limited.KillMessage);
    }

    [Fact]
    public void CallbacksSuppressedLine_IsCountedOnTheNextEventOnly()
    {
        var input = Concat(EventA, new[] { RateLimitedKill, "oom_kill_process: 3 callbacks suppressed" }, EventB);

        var reports = ReportInput.ParseLines(Dmesg(input));

        Assert.Equal(3, reports.Count);
        Assert.Equal(new int?[] { null, null, 3 }, reports.Select(r => r.SuppressedBefore).ToArray());
        Assert.Single(reports[1].Lines); // the suppressed line belongs to no event
        Assert.Equal(9442, reports[2].SelectedPid);
        Assert.True(reports[2].Replayable, reports[2].NotReplayableReason);
    }

    [Fact]
    public void RealMemcgLog_FirstEventCarriesTheSuppressedCountPrintedAboveIt()
    {
        // memcg-1000.log starts with "oom_kill_process: 1 callbacks suppressed"
        var reports = ReportInput.ParseFile(Path.Combine(ReportInput.MemcgDir, "memcg-1000.log"));

        Assert.Equal(new int?[] { 1, null }, reports.Select(r => r.SuppressedBefore).ToArray());
    }

    [Fact]
    public void ReportWithoutInvokedLine_IsReplayable_WithTheMissingLineInItsAssumptions()
    {
        var report = Assert.Single(ReportInput.ParseLines(Dmesg(Without(EventA, 0))));

        // Issue 11: Replayable means "can be replayed"; what is missing is an assumption.
        Assert.True(report.Replayable, report.NotReplayableReason);
        Assert.Empty(report.NotReplayableReasons);
        Assert.Contains(OomReport.NoInvokedLine, report.Assumptions);
        Assert.Equal(9433, report.SelectedPid);
        Assert.Equal(3, report.Tasks.Count);
        Assert.NotNull(report.Machine);
        Assert.True(ReportReplay.Replay(report, report.Machine!.Clone()).AgreesWithKernel);
        // the CPU line just above the first report-only line still names the trigger and the kernel
        Assert.Equal(9442, report.TriggerPid);
        Assert.Equal(new Version(6, 18), report.KernelVersion);
        Assert.Equal(12, report.Lines.Count);
    }

    /// <summary>dump_stack's lines between the CPU line and the memcg counters, as memcg-1000.log has them.</summary>
    private static readonly string[] CallTrace =
    {
        "Call Trace:", "<TASK>", "dump_stack_lvl+0x57/0x80", "dump_header+0x43/0x1c0", "oom_kill_process.cold+0x8/0x8a",
        "out_of_memory+0x214/0x500", "mem_cgroup_out_of_memory+0xc0/0x110", "try_charge_memcg+0x422/0x6f0",
        "charge_memcg+0x2f/0x90", "__mem_cgroup_charge+0x2c/0x90", "do_anonymous_page+0x340/0x900",
        "? srso_alias_return_thunk+0x5/0xfbef5", "? ___pte_offset_map+0x17/0x100", "__handle_mm_fault+0xa1e/0xf40",
        "handle_mm_fault+0xd0/0x310", "exc_page_fault+0x176/0x770", "asm_exc_page_fault+0x22/0x30",
        "RIP: 0033:0x7fbe2e389b03", "RSP: 002b:00007ffeb4e8df20 EFLAGS: 00010206",
        "RAX: 0000000000000001 RBX: 00007fbe2e2a2620 RCX: 00007fbe2e389920", "</TASK>",
    };

    [Fact]
    public void ReportWithoutInvokedLine_TakesTriggerAndKernelFromTheCpuLineAboveAFullCallTrace()
    {
        // public/17 has this shape: the CPU line, 29 lines of hardware name and call trace, then "memory: usage ..."
        var report = Assert.Single(ReportInput.ParseLines(Dmesg(Insert(Without(EventA, 0), 1, CallTrace))));

        Assert.Contains(OomReport.NoInvokedLine, report.Assumptions);
        Assert.Equal(9442, report.TriggerPid);
        Assert.Equal("python3", report.TriggerName);
        Assert.Equal(new Version(6, 18), report.KernelVersion);
    }

    [Fact]
    public void SecondEventWithoutInvokedLine_KeepsItsOwnCountersAndLeavesTheFirstEventsAlone()
    {
        // B's invoked line is lost; its CPU and memcg counter lines follow A's Killed process line directly
        var reports = ReportInput.ParseLines(Dmesg(Concat(EventA, Without(EventB, 0))));

        Assert.Equal(2, reports.Count);
        Assert.Equal(163840, reports[0].MemcgUsageKb);
        Assert.Equal(163840, reports[0].MemswUsageKb);
        Assert.Equal(EventA.Length, reports[0].Lines.Count);
        var b = reports[1];
        Assert.Equal(9442, b.SelectedPid);
        Assert.Equal(163036, b.MemcgUsageKb);
        Assert.Equal(163840, b.MemcgLimitKb);
        Assert.Empty(b.NotReplayableReasons);
        Assert.Contains(OomReport.NoInvokedLine, b.Assumptions);
        Assert.True(b.Replayable);
        Assert.NotNull(b.Machine);
        Assert.True(ReportReplay.Replay(b, b.Machine!.Clone()).AgreesWithKernel);
    }

    [Fact]
    public void ReportWithoutTaskTable_IsNotReplayableAndHasNoMachine()
    {
        var report = Assert.Single(ReportInput.ParseLines(Dmesg(Without(EventA, 6, 7, 8, 9, 10))));

        Assert.False(report.HasTaskTable);
        Assert.Empty(report.Tasks);
        Assert.Null(report.Machine);
        Assert.False(report.Replayable);
        Assert.Contains("task table", report.NotReplayableReason);
        Assert.Equal(9433, report.SelectedPid);
        Assert.Equal(163840, report.MemcgLimitKb);
    }

    [Fact]
    public void ReportWithoutKilledOrOomKillLine_HasNoChoice_ButReplaysWithNothingToCompareWith()
    {
        var report = Assert.Single(ReportInput.ParseLines(Dmesg(Without(EventA, 11, 12))));

        Assert.Null(report.SelectedPid);
        Assert.Empty(report.KilledPids);
        Assert.True(report.Replayable, report.NotReplayableReason);
        Assert.Contains(OomReport.NoChoice, report.Assumptions);
        var outcome = ReportReplay.Replay(report, report.Machine!.Clone());
        Assert.NotNull(outcome.Victim);
        Assert.Null(outcome.AgreesWithKernel);
        Assert.True(report.HasTaskTable);
        Assert.Equal(3, report.Tasks.Count);
    }

    [Fact]
    public void NoKillableProcesses_IsReadAndTheReplayAlsoFindsNone()
    {
        var input = new[]
        {
            EventA[0], EventA[1], EventA[2], EventA[3], EventA[4], EventA[5], EventA[6], EventA[7],
            "[   9424]     0  9424     6143     4572     3366      950       256    86016        0         -1000 python3",
            "[   9442]     0  9442    28671    27001    26054      947         0   266240        0         -1000 python3",
            "Out of memory and no killable processes...",
        };

        var report = Assert.Single(ReportInput.ParseLines(Dmesg(input)));

        Assert.True(report.NoKillableProcesses);
        Assert.Null(report.SelectedPid);
        Assert.True(report.Replayable, report.NotReplayableReason);
        Assert.Contains(report.Assumptions, a => a.Contains("no killable process"));
        var outcome = ReportReplay.Replay(report, report.Machine!.Clone());
        Assert.Null(outcome.Victim);
        Assert.Empty(outcome.Killed);
        Assert.True(outcome.AgreesWithKernel);
    }

    private static readonly string[] SacrificeChild =
    {
        "[2486967.059804] grep invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=600",
        "[2486967.059926] Task in /site133 killed as a result of limit of /site133",
        "[2486967.059929] memory: usage 524288kB, limit 524288kB, failcnt 153",
        "[2486967.059930] memory+swap: usage 525060kB, limit 9007199254740988kB, failcnt 0",
        "[2486967.059932] kmem: usage 0kB, limit 9007199254740988kB, failcnt 0",
        "[2486967.059957] [ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
        "[2486967.060381] [22040]     0 22040    51698     1729      57       10             0 su",
        "[2486967.060384] [22041]  9730 22041    29616      971      14      322           600 bash",
        "[2486967.060455] [25892]  9730 25892   224814   130523     268        0           600 grep",
        "[2486967.060458] [25893]  9730 25893    27014       86      11        0           600 gzip",
        "[2486967.060459] Memory cgroup out of memory: Kill process 25892 (grep) score 710 or sacrifice child",
        "[2486967.067494] Killed process 25893 (gzip), UID 9730, total-vm:108056kB, anon-rss:344kB, file-rss:0kB, shmem-rss:0kB",
    };

    [Fact]
    public void KillProcessOrSacrificeChild_TheChosenParentIsTheAnswerAndTheChildIsTheKilledPid()
    {
        var report = Assert.Single(ReportInput.ParseLines(SacrificeChild));

        Assert.Equal(25892, report.SelectedPid);
        Assert.Equal("grep", report.SelectedName);
        Assert.Equal(710, report.SelectedScore);
        Assert.Equal(new[] { 25893 }, report.KilledPids);
        Assert.Equal("Memory cgroup out of memory", report.KillMessage);
        Assert.Equal(OomConstraint.Memcg, report.Constraint);
        Assert.Equal("/site133", report.OomMemcg);
        Assert.True(report.Replayable, report.NotReplayableReason);
        var outcome = ReportReplay.Replay(report, report.Machine!.Clone());
        Assert.True(outcome.AgreesWithKernel, outcome.Disagreement);
        Assert.Equal(25892, outcome.Victim!.Pid);
    }

    [Fact]
    public void OldKernelRateLimitedKillPair_IsItsOwnEventAndLeavesThePreviousChoiceAlone()
    {
        // before 5.0 only dump_header was rate-limited: a suppressed report still printed "Kill process" + "Killed process"
        var input = Concat(SacrificeChild, new[]
        {
            "[2486968.100000] Memory cgroup out of memory: Kill process 22041 (bash) score 602 or sacrifice child",
            "[2486968.100010] Killed process 22041 (bash), UID 9730, total-vm:118464kB, anon-rss:3884kB, file-rss:0kB, shmem-rss:0kB",
        });

        var reports = ReportInput.ParseLines(input);

        Assert.Equal(2, reports.Count);
        Assert.Equal((25892, "grep", 710L), (reports[0].SelectedPid!.Value, reports[0].SelectedName!, reports[0].SelectedScore!.Value));
        Assert.Equal(new[] { 25893 }, reports[0].KilledPids);
        Assert.Equal(22041, reports[1].SelectedPid);
        Assert.Equal(602, reports[1].SelectedScore);
        Assert.Equal(new[] { 22041 }, reports[1].KilledPids);
        Assert.False(reports[1].Replayable);
        Assert.Contains("rate-limit", reports[1].NotReplayableReason);
    }

    private static readonly string[] OomGroup =
    {
        "stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        "CPU: 0 UID: 0 PID: 701 Comm: stress Not tainted 6.12.62 #1",
        "memory: usage 102400kB, limit 102400kB, failcnt 10",
        "swap: usage 0kB, limit 0kB, failcnt 0",
        "Memory cgroup stats for /app.slice/web.service:",
        "Tasks state (memory values in pages):",
        Header68,
        "[    700]     0   700     6000     5000     4000     1000         0    90112        0             0 web",
        "[    701]     0   701    30000    20000    19000     1000         0   200704        0             0 stress",
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/app.slice/web.service,task_memcg=/app.slice/web.service,task=stress,pid=701,uid=0",
        "Memory cgroup out of memory: Killed process 701 (stress) total-vm:120000kB, anon-rss:76000kB, file-rss:4000kB, shmem-rss:0kB, UID:0 pgtables:196kB oom_score_adj:0",
        "Tasks in /app.slice/web.service are going to be killed due to memory.oom.group set",
        "Memory cgroup out of memory: Killed process 700 (web) total-vm:24000kB, anon-rss:16000kB, file-rss:4000kB, shmem-rss:0kB, UID:0 pgtables:88kB oom_score_adj:0",
        "Memory cgroup out of memory: Killed process 701 (stress) total-vm:120000kB, anon-rss:76000kB, file-rss:4000kB, shmem-rss:0kB, UID:0 pgtables:196kB oom_score_adj:0",
        "oom_reaper: reaped process 701 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
        "oom_reaper: reaped process 700 (web), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
    };

    [Fact]
    public void MemoryOomGroup_EveryKilledLineStaysInTheOneEvent()
    {
        var reports = ReportInput.ParseLines(Dmesg(Concat(OomGroup, EventA)));

        Assert.Equal(2, reports.Count);
        var g = reports[0];
        Assert.Equal(701, g.SelectedPid);
        Assert.Equal(new[] { 701, 700 }, g.KilledPids);
        Assert.Equal("/app.slice/web.service", g.OomGroup);
        Assert.True(g.Replayable, g.NotReplayableReason);
        Assert.True(ReportReplay.Replay(g, g.Machine!.Clone()).AgreesWithKernel);
        Assert.Equal(9433, reports[1].SelectedPid);
        Assert.Null(reports[1].OomGroup);
        Assert.Equal(OomGroup.Skip(1), g.Lines.Skip(g.Lines.Count - (OomGroup.Length - 1)).Select(l => l.Text));
        Assert.Equal(OomGroup, g.Lines.Select(l => l.Text));
    }

    /// <summary>EventB with 9433 still listed after the reaper took its anon memory; the kernel still chose 9442.</summary>
    private static readonly string[] EventBWithReaped = Insert(EventB, 9,
        "[   9433]     0  9433     9215      952        0      952         0    98304        0           929 python3");

    [Fact]
    public void PidKilledInAnEarlierEvent_IsReplayedAsReapedAndSkipped()
    {
        var input = Concat(EventA,
            new[] { "oom_reaper: reaped process 9433 (python3), now anon-rss:0kB, file-rss:3808kB, shmem-rss:0kB" },
            EventBWithReaped);

        var reports = ReportInput.ParseLines(Dmesg(input));

        Assert.Equal(2, reports.Count);
        var b = reports[1];
        Assert.Equal(new[] { 9424, 9433, 9442 }, b.Tasks.Select(t => t.Pid).ToArray());
        Assert.Contains(b.Assumptions, a => a.Contains("9433", StringComparison.Ordinal));
        var outcome = ReportReplay.Replay(b, b.Machine!.Clone());
        Assert.Equal(OomSkipReason.ReapedVictim, outcome.Candidates.Single(c => c.Pid == 9433).Reason);
        Assert.Equal(9442, outcome.Victim!.Pid);
        Assert.True(outcome.AgreesWithKernel);
    }

    [Fact]
    public void SameEventWithoutTheEarlierKill_WouldChooseTheListedPid()
    {
        // the control for the test above: alone, 9433 scores 952 + 24 + 929*40 = 38136 > 9442's 27066
        var b = Assert.Single(ReportInput.ParseLines(Dmesg(EventBWithReaped)));

        var outcome = ReportReplay.Replay(b, b.Machine!.Clone());

        Assert.Equal(9433, outcome.Victim!.Pid);
        Assert.Equal(38136, outcome.VictimPoints);
        Assert.False(outcome.AgreesWithKernel);
    }
}
