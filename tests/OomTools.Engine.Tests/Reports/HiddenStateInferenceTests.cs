using System;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Reports;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// What a report cannot print and the rebuild infers from the kernel's own output: a vfork child (in_vfork():
/// oom_badness returns LONG_MIN), CLONE_VM sharers (__oom_kill_process kills every process sharing the mm), root
/// without CAP_SYS_ADMIN (no root bonus before 4.17), and the exited group leader printed by a live thread
/// (find_lock_task_mm). The choice stays the engine's; only the hidden state is inferred.
/// </summary>
public class HiddenStateInferenceTests
{
    private const string Memcg = "/lab/oomlab-shapes";

    private static string[] Event618(string chosen, string chosenName, params string[] rows)
    {
        // The invoked, CPU, memory and memory+swap lines of memcg-1000.log's first event, then the table.
        var lines = SampleReports.EventA.Take(4).ToList();
        lines.Add("Tasks state (memory values in pages):");
        lines.Add(SampleReports.Header68);
        lines.AddRange(rows);
        lines.Add($"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg={Memcg},task_memcg={Memcg},task={chosenName},pid={chosen.Split(':')[0]},uid=0");
        string killed = chosen.Contains(':') ? chosen.Split(':')[1] : chosen;
        lines.Add($"Memory cgroup out of memory: Killed process {killed} ({chosenName}) total-vm:114684kB, anon-rss:104216kB, file-rss:3788kB, shmem-rss:0kB, UID:0 pgtables:260kB oom_score_adj:0");
        return lines.ToArray();
    }

    private const string Small = "[   9424]     0  9424     6143     4572     3366      950       256    86016        0             0 python3";
    private static string Holder(int pid, string name = "holder", int adj = 0) =>
        $"[{pid,7}]     0 {pid,5}    28671    27001    26054      947         0   266240        0 {adj,13} {name}";

    [Fact]
    public void InVfork_TheLaterOfTwoIdenticalRowsIsNeverChosen_TheParentDiesAndTheChildWithIt()
    {
        // 6.x gives a tie to the later task, so as printed the child 9501 wins; the kernel chose the parent 9500:
        // only oom_badness's in_vfork() check passes over a row identical to a chosen earlier one.
        var report = Assert.Single(ReportInput.ParseLines(SampleReports.Dmesg(Event618("9500", "holder", Small, Holder(9500), Holder(9501)))));

        Assert.False(report.AgreedBeforeInference);
        var inferred = Assert.Single(report.Inferred);
        Assert.Contains("pid 9501 is a vfork child of pid 9500", inferred, StringComparison.Ordinal);
        Assert.Contains(report.Assumptions, a => a.StartsWith("the kernel's choice implies pid 9501 is a vfork child of pid 9500", StringComparison.Ordinal));
        Assert.True(report.Machine!.FindTask(9501)!.InVfork);
        Assert.Same(report.Machine.FindTask(9500)!.Mm, report.Machine.FindTask(9501)!.Mm);

        var outcome = ReportReplay.Replay(report, report.Machine.Clone());
        Assert.True(outcome.AgreesWithKernel, outcome.Disagreement);
        Assert.False(outcome.AgreedBeforeInference);
        Assert.Equal(9500, outcome.Victim!.Pid);
        Assert.Equal(OomSkipReason.InVfork, outcome.Candidates.Single(c => c.Pid == 9501).Reason);
        // __oom_kill_process: every process sharing the mm gets SIGKILL, the vfork child included.
        Assert.Equal(new[] { 9500, 9501 }, outcome.AllKilled.Select(t => t.Pid));
    }

    [Fact]
    public void InVfork_AChildPrintedBeforeItsParent_WithItsOwnHigherAdj_IsPassedOver()
    {
        // A vfork child keeps its own signal_struct, so its oom_score_adj can differ; a memcg scan walks cgroups in
        // pre-order, so a child in an earlier cgroup is printed first. As printed 9500 (adj 500) wins; the kernel
        // chose 9501: 9500 is in_vfork().
        var report = Assert.Single(ReportInput.ParseLines(SampleReports.Dmesg(Event618("9501", "holder", Small, Holder(9500, adj: 500), Holder(9501)))));

        Assert.False(report.AgreedBeforeInference);
        Assert.StartsWith("pid 9500 is a vfork child of pid 9501", Assert.Single(report.Inferred), StringComparison.Ordinal);
        Assert.True(report.Machine!.FindTask(9500)!.InVfork);
        Assert.False(report.Machine.FindTask(9501)!.InVfork);

        var outcome = ReportReplay.Replay(report, report.Machine.Clone());
        Assert.True(outcome.AgreesWithKernel, outcome.Disagreement);
        Assert.Equal(new[] { 9500, 9501 }, outcome.AllKilled.Select(t => t.Pid).OrderBy(p => p));
    }

    [Fact]
    public void IdenticalRows_TheKernelChoseTheLater_NothingIsInferred_ButTheyMayBeOneMm()
    {
        var report = Assert.Single(ReportInput.ParseLines(SampleReports.Dmesg(Event618("9501", "holder", Small, Holder(9500), Holder(9501)))));

        Assert.True(report.AgreedBeforeInference);
        Assert.Empty(report.Inferred);
        Assert.Contains(report.Assumptions, a => a.StartsWith("pids 9500 and 9501 print identical mm counters: they may be one mm", StringComparison.Ordinal));
        Assert.Null(report.Machine!.FindTask(9501)!.SharesMemoryWith);
        var outcome = ReportReplay.Replay(report, report.Machine.Clone());
        Assert.True(outcome.AgreesWithKernel);
        Assert.True(outcome.AgreedBeforeInference);
    }

    [Fact]
    public void CloneVm_OneMmMarkedOomSkipByTheEarlierKill_PassesOverBothSharersInTheNextEvent()
    {
        // Event 1: 9500 and 9501 share one mm (CLONE_VM); the kernel chose 9501 and __oom_kill_process killed both,
        // printing only the victim. Event 2 still lists both: the reaper has set MMF_OOM_SKIP on their one mm, so
        // oom_badness passes over 9500 too, and the kernel chose 9424.
        var lines = SampleReports.Concat(
            SampleReports.Dmesg(Event618("9501", "holder", Small, Holder(9500), Holder(9501))),
            SampleReports.Dmesg(Event618("9424", "python3", Small, Holder(9500), Holder(9501)), 386_000_000));
        var reports = ReportInput.ParseLines(lines);
        Assert.Equal(2, reports.Count);
        var second = reports[1];

        Assert.False(second.AgreedBeforeInference);
        Assert.Contains("pids 9500 and 9501 share one mm (CLONE_VM", Assert.Single(second.Inferred), StringComparison.Ordinal);
        Assert.Same(second.Machine!.FindTask(9500)!.Mm, second.Machine.FindTask(9501)!.Mm);
        Assert.False(second.Machine.FindTask(9501)!.InVfork);

        var outcome = ReportReplay.Replay(second, second.Machine.Clone());
        Assert.True(outcome.AgreesWithKernel, outcome.Disagreement);
        Assert.Equal(9424, outcome.Victim!.Pid);
        Assert.Equal(OomSkipReason.MmOomSkip, outcome.Candidates.Single(c => c.Pid == 9500).Reason);
    }

    [Fact]
    public void CloneVm_InferredSharers_AreKilledTogether()
    {
        // The plain replay of event 2 above would kill 9500; with their one mm, a kill of 9500 takes 9501 as well.
        var machine = new OomMachine(new Pages(100_000), Pages.Zero, 4096, null, "sharers", CgroupVersion.V1);
        machine.AddTask(new OomTaskSpec { Pid = 10, Name = "a", AnonPages = new Pages(5000) });
        machine.AddTask(new OomTaskSpec { Pid = 11, Name = "a", SharesMemoryWith = 10 });
        var outcome = machine.Killer.Invoke(new OomControl { Order = 0 });
        Assert.Equal(new[] { 10, 11 }, outcome.AllKilled.Select(t => t.Pid).OrderBy(p => p));
    }

    private static readonly string[] Global414 =
    {
        "a invoked oom-killer: gfp_mask=0x14280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=(null), order=0, oom_score_adj=0",
        "CPU: 0 PID: 200 Comm: b Not tainted 4.14.0-1 #1",
        "Mem-Info:",
        "10000 pages RAM",
        "0 pages reserved",
        "Total swap = 0kB",
        "Free swap  = 0kB",
        "[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name",
        "[  100]     0   100     2000     1000       0       0        0             0 a",
        "[  200]  1000   200     2000      990       0       0        0             0 b",
        "Out of memory: Kill process 100 (a) score 100 or sacrifice child",
        "Killed process 100 (a) total-vm:8000kB, anon-rss:4000kB, file-rss:0kB, shmem-rss:0kB",
    };

    [Fact]
    public void RootBonus_TheKernelsChoiceImpliesRootHadNoCapSysAdmin_AContainer()
    {
        // 4.14 takes 3% off a CAP_SYS_ADMIN task's points: root's 1000 would be 970, under b's 990. The kernel chose
        // root's process with score 1000 * 1000 / 10000 = 100: its root had no CAP_SYS_ADMIN.
        var report = Assert.Single(ReportInput.ParseLines(SampleReports.Dmesg(Global414)));

        Assert.False(report.AgreedBeforeInference);
        Assert.Contains("root had no CAP_SYS_ADMIN", Assert.Single(report.Inferred), StringComparison.Ordinal);
        Assert.Contains("the kernel's choice implies root had no CAP_SYS_ADMIN: a container (no root bonus)", report.Assumptions);
        Assert.DoesNotContain(report.Assumptions, a => a.StartsWith("uid 0 is taken as holding CAP_SYS_ADMIN", StringComparison.Ordinal));
        Assert.False(report.Machine!.FindTask(100)!.CapSysAdmin);

        var outcome = ReportReplay.Replay(report, report.Machine.Clone());
        Assert.True(outcome.AgreesWithKernel, outcome.Disagreement);
        Assert.Equal(1000, outcome.VictimPoints);
    }

    [Theory]
    // The kernel chose b with the score of the bonus: uid 0 holding CAP_SYS_ADMIN is consistent, and still a guess.
    [InlineData(99, true, "uid 0 is taken as holding CAP_SYS_ADMIN")]
    // The kernel chose b but printed a score the table cannot give: nothing modelled explains it.
    [InlineData(250, false, "the replay disagrees with the kernel and no modelled alternative")]
    public void RootBonus_KeptAsPrintedWhenNoAlternativeIsNeededOrNoneExplains(int printedScore, bool agreed, string note)
    {
        var lines = SampleReports.Replace(SampleReports.Replace(Global414, "Kill process 100 (a) score 100", $"Kill process 200 (b) score {printedScore}"),
            "Killed process 100 (a)", "Killed process 200 (b)");
        var report = Assert.Single(ReportInput.ParseLines(SampleReports.Dmesg(lines)));

        Assert.Equal(agreed, report.AgreedBeforeInference);
        Assert.Empty(report.Inferred);
        Assert.Contains(report.Assumptions, a => a.StartsWith(note, StringComparison.Ordinal));
        Assert.Null(report.Machine!.FindTask(100)!.CapSysAdmin);
    }

    [Fact]
    public void ExitedGroupLeader_IsOneProcessByTgid_WithItsThreadBeside()
    {
        // find_lock_task_mm: the leader 30763 has exited, the row and the Killed process line print thread 30764;
        // the oom-kill line prints oc->chosen, the leader.
        var report = Assert.Single(ReportInput.ParseLines(SampleReports.Dmesg(Event618("30763:30764", "leader", Small,
            "[  30764]     0 30763    28671    27001    26054      947         0   266240        0             0 leader"))));

        Assert.Equal(30763, report.SelectedPid);
        Assert.Equal(30764, report.SelectedTid);
        Assert.Equal(new[] { 30763 }, report.KilledPids);
        Assert.Equal(new[] { 30764 }, report.KilledTids);
        var row = report.Tasks.Single(t => t.Tid == 30764);
        Assert.Equal((30763, 30763, true), (row.Pid, row.Tgid, row.PrintedByThread));
        Assert.Contains(report.Assumptions, a => a.StartsWith("pid 30763 is printed by its thread 30764", StringComparison.Ordinal));

        var outcome = ReportReplay.Replay(report, report.Machine!.Clone());
        Assert.True(outcome.AgreesWithKernel, outcome.Disagreement);
        Assert.Equal((30763, 30764), (outcome.Victim!.Pid, outcome.VictimTid));
        Assert.Equal((30763, 30764), (outcome.KernelChoice, outcome.KernelChoiceTid));
    }

    [Fact]
    public void ExitedGroupLeader_NamedOnlyByItsKilledProcessLine_IsStillItsTgid()
    {
        // Without the oom-kill line the choice comes from Killed process, which prints the thread.
        var lines = Event618("30763:30764", "leader", Small,
            "[  30764]     0 30763    28671    27001    26054      947         0   266240        0             0 leader")
            .Where(l => !l.StartsWith("oom-kill:", StringComparison.Ordinal)).ToArray();
        var report = Assert.Single(ReportInput.ParseLines(SampleReports.Dmesg(lines)));

        Assert.Equal((30763, 30764), (report.SelectedPid, report.SelectedTid));
        Assert.Equal(new[] { 30763 }, report.KilledPids);
        Assert.True(ReportReplay.Replay(report, report.Machine!.Clone()).AgreesWithKernel);
    }

    [Fact]
    public void Guesses_AreInAssumptions_InventedCgroupAndAllocation()
    {
        // No oom_memcg (an old 'Task in' line is missing too), no invoked line and no trigger pid.
        var lines = new[]
        {
            "memory: usage 163840kB, limit 163840kB, failcnt 71",
            "Tasks state (memory values in pages):",
            SampleReports.Header68,
            Small,
            "Memory cgroup out of memory: Killed process 9424 (python3) total-vm:24572kB, anon-rss:13464kB, file-rss:3800kB, shmem-rss:1024kB, UID:0 pgtables:84kB oom_score_adj:0",
        };
        var report = Assert.Single(ReportInput.ParseLines(SampleReports.Dmesg(lines)));

        Assert.Contains("the report does not name the memory cgroup whose limit was hit: it is called /oom here", report.Assumptions);
        Assert.Contains("the table does not show each process's memory cgroup: every row is placed in /oom", report.Assumptions);
        Assert.Contains("the allocation is not shown (no 'invoked oom-killer' line): order 0 with GFP_KERNEL assumed", report.Assumptions);
        Assert.Contains("the allocating task's pid is not shown: replayed with no current task (as from a kernel worker)", report.Assumptions);
    }

    [Fact]
    public void Guesses_PageSizeAndOldGfpLayout_AreInAssumptions()
    {
        var lines = SampleReports.Replace(Global414, "0x14280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO)", "0x280da")
            .Where(l => !l.StartsWith("Killed process", StringComparison.Ordinal)).ToArray();
        var report = Assert.Single(ReportInput.ParseLines(SampleReports.Dmesg(lines)));

        Assert.Contains("the page size is not shown (no 'Killed process' total-vm matching a row): 4096 bytes assumed", report.Assumptions);
        Assert.Contains("the gfp mask 0x280da is in this kernel's own bit layout: only __GFP_IO and __GFP_FS (the bits out_of_memory reads) are kept", report.Assumptions);
        Assert.Contains("a global report does not show the processes' memory cgroups: they are placed in /", report.Assumptions);
    }
}
