using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using OomTools.Engine.Reports;
using Xunit;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// The acceptance figure: every real report that has a task table, replayed on the machine rebuilt from it,
/// chooses the process the kernel chose; and on the 6.18 memcg reports the replay prints the kernel's own
/// task table, oom-kill line and Killed process line, byte for byte.
/// </summary>
public class ReplayFidelityTests
{
    public static TheoryData<string> MemcgFileNames()
    {
        var data = new TheoryData<string>();
        foreach (var f in ReportInput.MemcgFiles()) data.Add(Path.GetFileName(f));
        return data;
    }

    [Fact]
    public void Fixtures_HoldTheDocumentedNumberOfFilesAndEvents()
    {
        // README: memcg/ has 24 files with 44 events; public/ has 8 files, one event each.
        var memcgFiles = ReportInput.MemcgFiles();
        var publicFiles = ReportInput.PublicFiles();
        Assert.Equal(24, memcgFiles.Length);
        Assert.Equal(8, publicFiles.Length);
        Assert.Equal(44, memcgFiles.Sum(f => ReportInput.ParseFile(f).Count));
        Assert.All(publicFiles, f => Assert.Single(ReportInput.ParseFile(f)));
    }

    [Fact]
    public void EveryRealEventWithATaskTable_ReplaysToTheKernelsChoice()
    {
        int withTable = 0, memcgWithTable = 0, agree = 0;
        var misses = new StringBuilder();
        foreach (var file in ReportInput.AllFiles())
        {
            bool memcgDir = Path.GetDirectoryName(file) == ReportInput.MemcgDir;
            foreach (var report in ReportInput.ParseFile(file))
            {
                if (!report.HasTaskTable) continue;
                withTable++;
                if (memcgDir) memcgWithTable++;
                if (report.Machine is null)
                {
                    misses.AppendLine($"{report}: no machine ({report.NotReplayableReason})");
                    continue;
                }
                var outcome = ReportReplay.Replay(report, report.Machine.Clone());
                if (outcome.AgreesWithKernel == true) agree++;
                else misses.AppendLine($"{report}: {outcome.Disagreement ?? outcome.Reason}");
            }
        }

        string figure = $"{agree} of {withTable} events with a task table replay to the kernel's choice " +
                        $"({memcgWithTable} memcg + {withTable - memcgWithTable} public).";
        Assert.True(agree == withTable, figure + Environment.NewLine + misses);
        // Today's corpus: 44 memcg events + 8 public reports, all with a table. Fewer means the parser lost tables.
        Assert.True(withTable == 52 && memcgWithTable == 44, figure);
    }

    [Fact]
    public void PublicReport17_WithoutInvokedLine_IsReplayableAndItsMachineChoosesTheKernelsVictim()
    {
        var report = Assert.Single(ReportInput.ParseFile(ReportInput.Public("17-blog-5.15-arm64-docker-cgv2-apk-memcg-noinvokedline.log")));

        Assert.True(report.Replayable, report.NotReplayableReason);
        Assert.Contains(OomReport.NoInvokedLine, report.Assumptions);
        Assert.True(report.HasTaskTable);
        Assert.NotNull(report.Machine);

        var outcome = ReportReplay.Replay(report, report.Machine!.Clone());
        Assert.True(outcome.AgreesWithKernel, outcome.Disagreement);
        Assert.Equal(3974, outcome.Victim!.Pid);
    }

    [Fact]
    public void Replay_DoesNotChangeTheReportsOwnMachine()
    {
        var report = ReportInput.ParseFile(Path.Combine(ReportInput.MemcgDir, "memcg-1000.log"))[0];
        var before = report.Machine!.Tasks.Select(t => t.Pid).ToArray();

        ReportReplay.Replay(report, report.Machine.Clone());
        var again = ReportReplay.Replay(report, report.Machine.Clone());

        Assert.Equal(before, report.Machine.Tasks.Select(t => t.Pid).ToArray());
        Assert.Equal(9433, again.Victim!.Pid);
        Assert.True(again.AgreesWithKernel);
    }

    [Fact]
    public void RowPrintedForAThreadHoldingTheMm_IsReplayedAsItsProcess()
    {
        // dump_task prints find_lock_task_mm(p): when the leader 9442 has exited its mm, the row carries the tid of a
        // live thread (9450) and tgid 9442. The oom-kill line names oc->chosen, the leader (pid=9442); the Killed
        // process line names the thread __oom_kill_process found with the mm (9450).
        var kernel = new[]
        {
            "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
            "CPU: 1 UID: 0 PID: 9424 Comm: python3 Not tainted 6.18.44-fc-v657 #1 PREEMPT(none)",
            "memory: usage 163840kB, limit 163840kB, failcnt 71",
            "memory+swap: usage 163840kB, limit 9007199254740988kB, failcnt 0",
            "Tasks state (memory values in pages):",
            SampleReports.Header68,
            "[   9424]     0  9424     6143     4572     3366      950       256    86016        0             0 python3",
            "[   9450]     0  9442    28671    27001    26054      947         0   266240        0             0 python3",
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/lab/oomlab-9382-1000,task_memcg=/lab/oomlab-9382-1000,task=python3,pid=9442,uid=0",
            "Memory cgroup out of memory: Killed process 9450 (python3) total-vm:114684kB, anon-rss:104216kB, file-rss:3788kB, shmem-rss:0kB, UID:0 pgtables:260kB oom_score_adj:0",
        };
        var report = Assert.Single(ReportInput.ParseLines(SampleReports.Dmesg(kernel)));
        Assert.Equal(9442, report.SelectedPid);
        // One identity: the process is 9442; the thread the kernel printed is beside it.
        Assert.Equal(9450, report.SelectedTid);
        Assert.Equal(new[] { 9442 }, report.KilledPids);
        Assert.Equal(new[] { 9450 }, report.KilledTids);

        var outcome = ReportReplay.Replay(report, report.Machine!.Clone());

        Assert.True(outcome.AgreesWithKernel, outcome.Disagreement);
        Assert.Equal(kernel.Skip(6), outcome.Log.Select(e => e.Text).Where(KernelOrReplayLineOfInterest).Skip(1));
    }

    private static bool KernelOrReplayLineOfInterest(string text) =>
        text.StartsWith("[", StringComparison.Ordinal) ||
        text.StartsWith("oom-kill:", StringComparison.Ordinal) ||
        text.Contains("Killed process ", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(MemcgFileNames))]
    public void MemcgReplay_PrintsTheKernelsTaskTableOomKillAndKilledLinesByteForByte(string fileName)
    {
        var reports = ReportInput.ParseFile(Path.Combine(ReportInput.MemcgDir, fileName));
        Assert.NotEmpty(reports);
        foreach (var report in reports)
        {
            var kernel = report.Lines.Select(l => l.Text).Where(KernelOrReplayLineOfInterest).ToList();
            var outcome = ReportReplay.Replay(report, report.Machine!.Clone());
            var ours = outcome.Log.Select(e => e.Text).Where(KernelOrReplayLineOfInterest).ToList();

            // header + at least one row + oom-kill + Killed process: the comparison is never vacuous
            Assert.True(kernel.Count >= 4, $"{report}: only {kernel.Count} kernel lines matched the filter");
            for (int i = 0; i < Math.Max(kernel.Count, ours.Count); i++)
            {
                string? k = i < kernel.Count ? kernel[i] : null, o = i < ours.Count ? ours[i] : null;
                Assert.True(k == o, $"{report}, line {i + 1} of {kernel.Count}:{Environment.NewLine}kernel: {k ?? "(none)"}{Environment.NewLine}replay: {o ?? "(none)"}");
            }
        }
    }
}
