using System;
using System.IO;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>
/// The text of dump_header / dump_tasks / dump_task / dump_oom_victim / __oom_kill_process, checked byte for
/// byte against a real 6.18 report (kernel-logs/memcg/memcg-1000.log) and the formats in kernel-notes.
/// </summary>
public class LogFormatTests
{
    private const string RealLogPath = "/work/shared/kernel-logs/memcg/memcg-1000.log";

    // memcg-1000.log, first event: the lines after "[  385.50xxxx] ", copied verbatim.
    private const string Invoked1 = "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0";
    private const string TasksState = "Tasks state (memory values in pages):";
    private const string Header = "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name";
    private static readonly string[] Rows1 =
    {
        "[   9424]     0  9424     6143     4572     3366      950       256    86016        0             0 python3",
        "[   9425]     0  9425     7423     5852     4646      950       256    98304        0           187 python3",
        "[   9426]     0  9426   100376     5888     4902      986         0   139264        0             0 python3",
        "[   9432]     0  9432     7423     5849     4902      947         0    98304        0             0 python3",
        "[   9433]     0  9433     9215     6110     5158      952         0    98304        0           929 python3",
        "[   9434]     0  9434    99608     5885     4390      983       512   139264        0           469 python3",
        "[   9440]     0  9440     4607     3033     2086      947         0    73728        0             0 python3",
        "[   9441]     0  9441     6399     3550     2598      952         0    81920        0             0 python3",
        "[   9442]     0  9442    28671    27001    26054      947         0   266240        0             0 python3",
    };
    private const string OomKill1 = "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/lab/oomlab-9382-1000,task_memcg=/lab/oomlab-9382-1000,task=python3,pid=9433,uid=0";
    private const string Killed1 = "Memory cgroup out of memory: Killed process 9433 (python3) total-vm:36860kB, anon-rss:20632kB, file-rss:3808kB, shmem-rss:0kB, UID:0 pgtables:96kB oom_score_adj:929";
    // second event (9433 has exited)
    private const string OomKill2 = "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/lab/oomlab-9382-1000,task_memcg=/lab/oomlab-9382-1000,task=python3,pid=9442,uid=0";
    private const string Killed2 = "Memory cgroup out of memory: Killed process 9442 (python3) total-vm:114684kB, anon-rss:104216kB, file-rss:3788kB, shmem-rss:0kB, UID:0 pgtables:260kB oom_score_adj:0";

    // pid, total_vm, rss_anon, rss_file, rss_shmem, pgtables_bytes, oom_score_adj: the table's values
    private static readonly long[][] Table1 =
    {
        new long[] { 9424, 6143, 3366, 950, 256, 86016, 0 },
        new long[] { 9425, 7423, 4646, 950, 256, 98304, 187 },
        new long[] { 9426, 100376, 4902, 986, 0, 139264, 0 },
        new long[] { 9432, 7423, 4902, 947, 0, 98304, 0 },
        new long[] { 9433, 9215, 5158, 952, 0, 98304, 929 },
        new long[] { 9434, 99608, 4390, 983, 512, 139264, 469 },
        new long[] { 9440, 4607, 2086, 947, 0, 73728, 0 },
        new long[] { 9441, 6399, 2598, 952, 0, 81920, 0 },
        new long[] { 9442, 28671, 26054, 947, 0, 266240, 0 },
    };

    private static OomMachine Memcg1000(out MemoryCgroup cg, out ManualClock clock)
    {
        clock = new ManualClock(385_502_096_000);
        var m = new OomMachine(new Pages(2_000_000), Pages.Zero, 4096, null, "memcg-1000", CgroupVersion.V1, clock)
        {
            KernelVersion = new Version(6, 18),
        };
        m.CreateCgroup("/lab", memoryMax: new Pages(40960));
        cg = m.CreateCgroup("/lab/oomlab-9382-1000", memoryMax: new Pages(40960));
        foreach (var r in Table1)
        {
            m.AddTask(new OomTaskSpec
            {
                Pid = (int)r[0], Name = "python3", Uid = 0, TotalVm = new Pages(r[1]),
                AnonPages = new Pages(r[2]), FilePages = new Pages(r[3]), ShmemPages = new Pages(r[4]),
                PageTableBytes = r[5], OomScoreAdj = OomScoreAdj.From((int)r[6]), Cgroup = cg.Path,
            });
        }
        return m;
    }

    [Fact]
    public void RealLog_Memcg1000FirstEvent_TaskRowsMatchByteForByte()
    {
        var m = Memcg1000(out _, out _);

        for (int i = 0; i < Table1.Length; i++)
        {
            var t = m.GetTask((int)Table1[i][0]);
            Assert.Equal(Rows1[i], OomMessages.TaskRow(t.Pid, t));
        }
        Assert.Equal(Header, OomMessages.TaskTableHeader);
        Assert.Equal(TasksState, OomMessages.TasksStateHeader);
    }

    [Fact]
    public void RealLog_Memcg1000FirstEvent_KilledLineMatchesByteForByte()
    {
        var m = Memcg1000(out _, out _);

        var log = new KernelLog(new ManualClock(0));
        OomMessages.KilledProcess(log, "Memory cgroup out of memory", 9433, m.GetTask(9433), 4096);
        Assert.Equal(Killed1, log.Last!.Text);
    }

    [Fact]
    public void RealLog_Memcg1000FirstEvent_OutOfMemoryPicks9433AndPrintsTheKernelsLines()
    {
        var m = Memcg1000(out var cg, out _);
        var current = m.GetTask(9442);

        var o = m.Killer.Invoke(TestMachines.ForMemcg(cg, current: current));

        Assert.Equal(9433, o.Victim!.Pid);
        Assert.Equal(43294, o.VictimPoints); // 6110 + 98304/4096 + 929*(40960/1000)
        Assert.Equal(40960, o.TotalPages.Value);
        Assert.Equal(OomConstraint.Memcg, o.Constraint);

        var texts = o.Texts();
        Assert.Equal(Invoked1, texts[0]);
        Assert.Equal(KernelLogLevel.Warning, o.Log[0].Level);
        var tail = texts.Skip(texts.Length - 13).ToArray();
        var expected = new[] { TasksState, Header }.Concat(Rows1).Concat(new[] { OomKill1, Killed1 }).ToArray();
        Assert.Equal(expected, tail);
        Assert.Equal(KernelLogLevel.Info, o.Log[o.Log.Count - 2].Level);
        Assert.Equal(KernelLogLevel.Err, o.Log[o.Log.Count - 1].Level);
        Assert.Equal("[  385.502096]", o.Log[o.Log.Count - 1].Timestamp);
    }

    [Fact]
    public void RealLog_Memcg1000FirstEvent_MemcgLimitsArePrintedAsTheKernelDoes()
    {
        // memory: usage 163840kB, limit 163840kB, failcnt 71
        // memory+swap: usage 163840kB, limit 9007199254740988kB, failcnt 0
        // kmem: usage 720kB, limit 9007199254740988kB, failcnt 0
        var m = Memcg1000(out var cg, out _);

        var texts = m.Killer.Invoke(TestMachines.ForMemcg(cg, current: m.GetTask(9442))).Texts();

        Assert.Matches(@"^memory: usage \d+kB, limit 163840kB, failcnt \d+$", texts[1]);
        Assert.Matches(@"^memory\+swap: usage \d+kB, limit 9007199254740988kB, failcnt \d+$", texts[2]);
        Assert.Matches(@"^kmem: usage \d+kB, limit 9007199254740988kB, failcnt \d+$", texts[3]);
    }

    [Fact]
    public void RealLog_Memcg1000SecondEvent_After9433ExitedPicks9442()
    {
        var m = Memcg1000(out var cg, out var clock);
        var current = m.GetTask(9442);
        m.Killer.Invoke(TestMachines.ForMemcg(cg, current: current));
        m.RemoveTask(m.GetTask(9433));
        clock.Advance(TimeSpan.FromTicks(60_870)); // 385.508183

        var o = m.Killer.Invoke(TestMachines.ForMemcg(cg, current: current));

        Assert.Equal(9442, o.Victim!.Pid);
        Assert.Equal(27066, o.VictimPoints);
        var texts = o.Texts();
        Assert.Equal(Invoked1, texts[0]);
        var rows2 = Rows1.Where(r => !r.StartsWith("[   9433]", StringComparison.Ordinal));
        var expected = new[] { TasksState, Header }.Concat(rows2).Concat(new[] { OomKill2, Killed2 }).ToArray();
        Assert.Equal(expected, texts.Skip(texts.Length - 12).ToArray());
    }

    [Fact]
    public void RealLog_FixtureLinesAreVerbatimFromTheLogFile()
    {
        if (!File.Exists(RealLogPath)) return; // the lines are embedded above; this only re-checks the copy
        var lines = File.ReadAllLines(RealLogPath).Select(l => l.Substring(l.IndexOf("] ", StringComparison.Ordinal) + 2)).ToArray();

        foreach (var expected in new[] { Invoked1, TasksState, Header, OomKill1, Killed1, OomKill2, Killed2 }.Concat(Rows1))
            Assert.Contains(expected, lines);
    }

    // ---- formats from kernel-notes ----

    [Fact]
    public void TaskRow_MatchesTheNotesExampleWithNegativeAdjAndSwap()
    {
        var m = TestMachines.Machine();
        var t = m.AddTask(new OomTaskSpec
        {
            Pid = 375, Name = "systemd-journald", TotalVm = new Pages(14010), AnonPages = new Pages(160),
            FilePages = new Pages(1848), PageTableBytes = 102400, SwapEntries = new Pages(256), OomScoreAdj = OomScoreAdj.From(-250),
        });

        Assert.Equal("[    375]     0   375    14010     2008      160     1848         0   102400      256          -250 systemd-journal",
            OomMessages.TaskRow(375, t));
    }

    [Fact]
    public void DumpTasks_RowUsesTheThreadThatHoldsTheMmAndTheTgid()
    {
        var m = TestMachines.Machine();
        m.Add(500, anon: 7, name: "mt", with: s => { s.Threads = 2; s.DetachedThreads = 1; s.TotalVm = new Pages(9); s.Uid = 33; });

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.Contains("[    501]    33   500        9        7        7        0         0        0        0             0 mt", o.Texts());
    }

    [Fact]
    public void DumpTasks_ListsAdjMinTasksButNotUnkillableOrMmlessOnes()
    {
        var m = TestMachines.Machine();
        m.Add(1, anon: 10, name: "init");
        m.Add(2, name: "kthreadd", with: s => s.KernelThread = true);
        m.Add(50, anon: 10, name: "gone", with: s => { s.Threads = 2; s.DetachedThreads = 2; });
        m.Add(60, anon: 10, adj: -1000, name: "sshd", with: s => s.TotalVm = new Pages(10));
        m.Add(70, anon: 500, name: "hog", with: s => s.TotalVm = new Pages(500));

        var o = m.Killer.Invoke(TestMachines.Global());
        var texts = o.Texts().ToList();
        int h = texts.IndexOf(Header);
        var rows = texts.Skip(h + 1).TakeWhile(t => t.StartsWith("[", StringComparison.Ordinal)).ToArray();

        Assert.Equal(new[]
        {
            "[     60]     0    60       10       10       10        0         0        0        0         -1000 sshd",
            "[     70]     0    70      500      500      500        0         0        0        0             0 hog",
        }, rows);
        Assert.Equal(TasksState, texts[h - 1]);
    }

    [Fact]
    public void DumpTasks_CanBeSwitchedOff()
    {
        var m = TestMachines.Machine();
        m.OomDumpTasks = false;
        m.Add(70, anon: 500);

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.DoesNotContain(TasksState, o.Texts());
        Assert.DoesNotContain(Header, o.Texts());
        Assert.True(o.AnyLineContains("Killed process 70 "));
    }

    [Fact]
    public void DumpOomVictim_GlobalOomLine()
    {
        var m = TestMachines.Machine();
        m.CreateCgroup("/user.slice");
        m.CreateCgroup("/user.slice/user-1000.slice");
        m.CreateCgroup("/user.slice/user-1000.slice/session-1.scope");
        var t = m.Add(4242, anon: 500, name: "stress", cgroup: "/user.slice/user-1000.slice/session-1.scope", with: s => s.Uid = 1000);

        var o = m.Killer.Invoke(TestMachines.Global(current: t, gfp: 0x140cca));

        Assert.Contains("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice/user-1000.slice/session-1.scope,task=stress,pid=4242,uid=1000", o.Texts());
        Assert.Equal("stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0", o.Texts()[0]);
    }

    [Fact]
    public void DumpOomVictim_MemcgOomLine()
    {
        var m = TestMachines.Machine();
        m.CreateCgroup("/system.slice");
        var cg = m.CreateCgroup("/system.slice/foo.service", memoryMax: new Pages(1000));
        var t = m.Add(77, anon: 500, name: "foo", cgroup: "/system.slice/foo.service");

        var o = m.Killer.Invoke(TestMachines.ForMemcg(cg, current: t));

        Assert.Contains("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/foo.service,task_memcg=/system.slice/foo.service,task=foo,pid=77,uid=0", o.Texts());
    }

    [Fact]
    public void DumpOomVictim_TaskMemcgIsTheVictimsCgroupNotTheOomOne()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a", memoryMax: new Pages(1000));
        m.CreateCgroup("/a/b");
        var cur = m.Add(10, anon: 1, name: "alloc", cgroup: "/a");
        m.Add(11, anon: 500, name: "big", cgroup: "/a/b");

        var o = m.Killer.Invoke(TestMachines.ForMemcg(a, current: cur));

        Assert.Contains("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,task_memcg=/a/b,task=big,pid=11,uid=0", o.Texts());
    }

    [Fact]
    public void DumpOomVictim_MempolicyLinePrintsTheNodemask()
    {
        var m = TestMachines.Machine(ram: 1_000_000, nodes: new long[] { 600_000, 400_000 });
        var t = m.Add(100, anon: 500, name: "numa");

        var o = m.Killer.Invoke(TestMachines.Global(current: t, nodemask: NodeMask.Of(1)));

        Assert.Contains("oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=1,cpuset=/,mems_allowed=0-1,global_oom,task_memcg=/,task=numa,pid=100,uid=0", o.Texts());
    }

    [Fact]
    public void DumpOomVictim_CpusetLinePrintsCurrentsCpusetNameAndMems()
    {
        var m = TestMachines.Machine(ram: 1_000_000, nodes: new long[] { 600_000, 400_000 });
        m.CreateCpuset("/jobs", NodeMask.Of(0, 1));
        m.CreateCpuset("/jobs/batch", NodeMask.Of(0), hardwall: true);
        var cur = m.Add(100, anon: 50, name: "alloc", with: s => s.Cpuset = "/jobs/batch");
        m.Add(101, anon: 500, name: "victim");

        var o = m.Killer.Invoke(TestMachines.Global(current: cur, gfp: GfpMask.GFP_HIGHUSER_MOVABLE));

        Assert.Contains("oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=batch,mems_allowed=0,global_oom,task_memcg=/,task=victim,pid=101,uid=0", o.Texts());
    }

    [Fact]
    public void KilledProcess_GlobalLineWith16kPages()
    {
        var m = TestMachines.Machine(ram: 100_000, pageSize: 16384);
        m.Add(100, anon: 100, file: 20, shmem: 3, pgtables: 1_000_000, adj: -17, name: "t",
            with: s => { s.TotalVm = new Pages(500); s.Uid = 1000; });

        var o = m.Killer.Invoke(TestMachines.Global());

        var line = o.Log.Single(e => e.Text.Contains("Killed process"));
        Assert.Equal("Out of memory: Killed process 100 (t) total-vm:8000kB, anon-rss:1600kB, file-rss:320kB, shmem-rss:48kB, UID:1000 pgtables:976kB oom_score_adj:-17", line.Text);
        Assert.Equal(KernelLogLevel.Err, line.Level);
    }

    [Fact]
    public void DumpHeader_SysrqLineShowsTheKernelWorkerAndOrderMinusOne()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 500);

        var o = m.Killer.Invoke(TestMachines.Sysrq());

        Assert.Equal("kworker/0:1 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0", o.Texts()[0]);
        Assert.True(o.AnyLineContains("Out of memory: Killed process 100 "));
    }

    [Fact]
    public void DumpHeader_UsesTheMachinesKernelVersionForGfpNames()
    {
        var m = TestMachines.Machine();
        m.KernelVersion = new Version(6, 15);
        var cur = m.Add(100, anon: 500, adj: 500, name: "x");

        var o = m.Killer.Invoke(TestMachines.Global(current: cur, gfp: 0x140dca, order: 2));

        Assert.Equal("x invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP), order=2, oom_score_adj=500", o.Texts()[0]);
    }

    [Fact]
    public void Report_OrderAndLevelsOfAGlobalKill()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 500, name: "hog");

        var o = m.Killer.Invoke(TestMachines.Global());
        var texts = o.Texts();

        Assert.EndsWith(" invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0", texts[0]);
        int ts = Array.IndexOf(texts, TasksState);
        Assert.True(ts > 0);
        Assert.Equal(Header, texts[ts + 1]);
        Assert.StartsWith("oom-kill:", texts[texts.Length - 2]);
        Assert.StartsWith("Out of memory: Killed process 100 (hog) ", texts[texts.Length - 1]);
        Assert.Equal(KernelLogLevel.Warning, o.Log[0].Level);
        Assert.Equal(KernelLogLevel.Info, o.Log[ts].Level);
        Assert.Equal(KernelLogLevel.Info, o.Log[ts + 1].Level);
        Assert.Equal(KernelLogLevel.Err, o.Log[texts.Length - 1].Level);
    }

    [Theory]
    [InlineData(385_502_096_000, "[  385.502096]")]
    [InlineData(0, "[    0.000000]")]
    [InlineData(1_999, "[    0.000001]")]
    [InlineData(123_456_789_012_345, "[123456.789012]")]
    public void KernelLogEntry_TimestampIsPrintkStyle(long ns, string stamp)
    {
        var e = new KernelLogEntry(ns, KernelLogLevel.Info, "x");

        Assert.Equal(stamp, e.Timestamp);
        Assert.Equal(stamp + " x", e.ToString());
    }
}
