using System;
using System.Globalization;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Log;

/// <summary>
/// The OOM killer's lines kept as their format and values and formatted when read: each kind's exact text, its
/// level and stamp, and the values of the moment it was written (a task or cgroup changed afterwards does not reach
/// the text).
/// </summary>
public class DeferredLogLineTests
{
    private const long Ns = 385_502_096_000;
    private const string Stamp = "[  385.502096] ";

    private static KernelLog Log() => new(new ManualClock(Ns));

    // memcg-1000.log's first event, written through the typed writers.
    [Theory]
    [InlineData("invoked", KernelLogLevel.Warning, "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0")]
    [InlineData("invoked-6.15", KernelLogLevel.Warning, "x invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP), order=-1, oom_score_adj=-1000")]
    [InlineData("free-swap", KernelLogLevel.Warning, "Free swap  = 0kB")]
    [InlineData("total-swap", KernelLogLevel.Warning, "Total swap = 497976kB")]
    [InlineData("pages-ram", KernelLogLevel.Warning, "4194174 pages RAM")]
    [InlineData("pages-reserved", KernelLogLevel.Warning, "82436 pages reserved")]
    [InlineData("memory", KernelLogLevel.Info, "memory: usage 163840kB, limit 163840kB, failcnt 0")]
    [InlineData("memory+swap", KernelLogLevel.Info, "memory+swap: usage 163840kB, limit 9007199254740988kB, failcnt 0")]
    [InlineData("oom-kill", KernelLogLevel.Info, "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/lab/oomlab-9382-1000,task_memcg=/lab/oomlab-9382-1000,task=python3,pid=9433,uid=0")]
    [InlineData("oom-kill-global", KernelLogLevel.Info, "oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=1,cpuset=batch,mems_allowed=0-1,global_oom,task_memcg=/,task=numa,pid=100,uid=1000")]
    [InlineData("killed", KernelLogLevel.Err, "Memory cgroup out of memory: Killed process 9433 (python3) total-vm:36860kB, anon-rss:20632kB, file-rss:3808kB, shmem-rss:0kB, UID:0 pgtables:96kB oom_score_adj:929")]
    [InlineData("already-exiting", KernelLogLevel.Info, "Out of memory: OOM victim 100 (hog) is already exiting. Skip killing the task")]
    [InlineData("mm-pinned", KernelLogLevel.Info, "oom killer 100 (hog) has mm pinned by 1 (init)")]
    [InlineData("oom-group", KernelLogLevel.Info, "Tasks in /app.slice/web.service are going to be killed due to memory.oom.group set")]
    [InlineData("reaped", KernelLogLevel.Info, "oom_reaper: reaped process 9433 (python3), now anon-rss:0kB, file-rss:3808kB, shmem-rss:0kB")]
    [InlineData("unable-to-reap", KernelLogLevel.Info, "oom_reaper: unable to reap pid:100 (hog)")]
    public void TypedWriter_KeepsTheValues_AndReadsAsTheKernelPrintsIt(string kind, KernelLogLevel level, string text)
    {
        var log = Log();
        Write(log, kind);

        var entry = log.Last!;
        Assert.Equal(text, entry.Text);
        Assert.Equal(level, entry.Level);
        Assert.Equal(Stamp + text, entry.ToString());
        Assert.Equal(new[] { text }, log.Entries.Select(e => e.Text).ToArray());
        Assert.Equal(new[] { text }, log.Since(0).Select(e => e.Text).ToArray());
    }

    private static void Write(KernelLog log, string kind)
    {
        switch (kind)
        {
            case "invoked": log.InvokedOomKiller("python3", GfpMask.Kernel, GfpNameTable.V6_12, 0, 0); break;
            case "invoked-6.15": log.InvokedOomKiller("x", new GfpMask(0x140dca), GfpNameTable.V6_15, -1, -1000); break;
            case "free-swap": log.FreeSwap(0); break;
            case "total-swap": log.TotalSwap(497976); break;
            case "pages-ram": log.PagesRam(4194174); break;
            case "pages-reserved": log.PagesReserved(82436); break;
            case "memory": log.MemcgCounter("memory", 163840, 163840); break;
            case "memory+swap": log.MemcgCounter("memory+swap", 163840, 9007199254740988); break;
            case "oom-kill":
                log.OomKillSummary("CONSTRAINT_MEMCG", null, "/", NodeMask.Of(0), "/lab/oomlab-9382-1000",
                    "/lab/oomlab-9382-1000", "python3", 9433, 0);
                break;
            case "oom-kill-global":
                log.OomKillSummary("CONSTRAINT_MEMORY_POLICY", NodeMask.Of(1), "batch", NodeMask.Of(0, 1), null, "/", "numa", 100, 1000);
                break;
            case "killed":
                log.KilledProcess("Memory cgroup out of memory", 9433, "python3", 36860, 20632, 3808, 0, 0, 96, 929);
                break;
            case "already-exiting": log.OomVictimAlreadyExiting("Out of memory", 100, "hog"); break;
            case "mm-pinned": log.MmPinned(100, "hog", 1, "init"); break;
            case "oom-group": log.OomGroupKill("/app.slice/web.service"); break;
            case "reaped": log.OomReaperReaped(9433, "python3", 0, 3808, 0); break;
            case "unable-to-reap": log.OomReaperUnableToReap(100, "hog"); break;
            default: throw new ArgumentException(kind, nameof(kind));
        }
    }

    [Fact]
    public void DoOomKillProcess_KilledLine_ShowsTheVictimsSizesAtTheKill()
    {
        var m = TestMachines.Machine();
        var hog = m.Add(100, anon: 5000, file: 30, shmem: 2, swap: 7, pgtables: 8192, adj: 5, name: "hog");

        var o = m.Killer.Invoke(TestMachines.Global());
        hog.Mm!.AnonPages = new Pages(1);
        hog.Mm.FilePages = new Pages(2);
        hog.OomScoreAdj = OomScoreAdj.From(-17);

        var line = o.Log.Single(e => e.Level == KernelLogLevel.Err);
        Assert.Equal("Out of memory: Killed process 100 (hog) total-vm:20156kB, anon-rss:20000kB, file-rss:120kB, shmem-rss:8kB, UID:0 pgtables:8kB oom_score_adj:5", line.Text);
    }

    [Fact]
    public void DumpHeader_ShowMemTotals_ShowTheSwapAtTheOom()
    {
        var m = TestMachines.Machine(ram: 1_000_000, swap: 2000);
        m.Add(100, anon: 5000, swap: 500, name: "hog");
        var other = m.Add(101, anon: 10, name: "small");

        var o = m.Killer.Invoke(TestMachines.Global());
        other.Mm!.SwapEntries = new Pages(1500);

        var texts = o.Texts();
        int memInfo = Array.IndexOf(texts, "Mem-Info:");
        Assert.Equal(new[] { "Mem-Info:", "Free swap  = 6000kB", "Total swap = 8000kB", "1000000 pages RAM", "0 pages HighMem/MovableOnly", "0 pages reserved" },
            texts.Skip(memInfo).Take(6).ToArray());
        Assert.All(o.Log.Skip(memInfo).Take(6), e => Assert.Equal(KernelLogLevel.Warning, e.Level));
    }

    [Fact]
    public void DumpOomVictim_OomKillLine_ShowsTheCpusetsMemsAtTheOom()
    {
        var m = TestMachines.Machine(ram: 1_000_000, nodes: new long[] { 600_000, 400_000 });
        var cs = m.CreateCpuset("/jobs", NodeMask.Of(0, 1));
        var cur = m.Add(100, anon: 50, name: "alloc", with: s => s.Cpuset = "/jobs");
        m.Add(101, anon: 500, name: "victim");

        var o = m.Killer.Invoke(TestMachines.Global(current: cur));
        cs.Mems = NodeMask.Of(1);

        Assert.Contains("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=jobs,mems_allowed=0-1,global_oom,task_memcg=/,task=victim,pid=101,uid=0", o.Texts());
    }

    [Fact]
    public void DumpHeader_InvokedLine_ShowsCurrentsOomScoreAdjAtTheOom()
    {
        var m = TestMachines.Machine();
        var cur = m.Add(100, anon: 500, adj: 300, name: "y");
        m.Add(101, anon: 800, name: "big");

        var o = m.Killer.Invoke(TestMachines.Global(current: cur));
        cur.OomScoreAdj = OomScoreAdj.From(-1000);

        Assert.Equal("y invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=300", o.Texts()[0]);
    }

    [Fact]
    public void MemCgroupPrintOomMeminfo_CounterLines_ShowTheUsageAndLimitAtTheOom()
    {
        var m = TestMachines.Machine();
        var cg = m.CreateCgroup("/app", memoryMax: new Pages(1000), swapMax: new Pages(0));
        var t = m.Add(77, anon: 500, file: 100, name: "app", cgroup: "/app");

        var o = m.Killer.Invoke(TestMachines.ForMemcg(cg, current: t));
        cg.MemoryMax = new Pages(5000);
        t.Mm!.AnonPages = new Pages(4000);

        Assert.Equal("memory: usage 2400kB, limit 4000kB, failcnt 0", o.Texts()[1]);
        Assert.Equal("swap: usage 0kB, limit 0kB, failcnt 0", o.Texts()[2]);
    }

    [Fact]
    public void OomReapTaskMm_ReapedLine_ShowsWhatTheReapLeft()
    {
        var clock = new ManualClock(TestMachines.BootNs);
        var m = TestMachines.Machine(clock: clock);
        var hog = m.Add(100, anon: 5000, file: 30, shmem: 2, swap: 7, name: "hog");
        hog.ExitLatencyJiffies = 1_000_000;
        m.Add(101, anon: 10, name: "small");
        m.Killer.Invoke(TestMachines.Global());
        clock.Advance(TimeSpan.FromSeconds(2));
        int before = m.Log.Count;

        m.Timeline.RunOomReaper();
        var reaped = m.Log.Since(before);
        hog.Mm!.FilePages = new Pages(0);

        Assert.Equal(new[] { "oom_reaper: reaped process 100 (hog), now anon-rss:0kB, file-rss:120kB, shmem-rss:8kB" }, reaped.Texts());
    }

    [Fact]
    public void RateLimit_SuppressedCount_IsPrintedBeforeTheNextAllowedCall()
    {
        var log = Log();
        var limit = new RateLimit("oom_kill_process", burst: 1);
        var interval = new Jiffies(10);

        Assert.True(limit.Allow(new Jiffies(100), interval, log));
        Assert.False(limit.Allow(new Jiffies(101), interval, log));
        Assert.False(limit.Allow(new Jiffies(102), interval, log));
        Assert.Equal(0, log.Count);
        Assert.True(limit.Allow(new Jiffies(111), interval, log));

        Assert.Equal("oom_kill_process: 2 callbacks suppressed", log.Last!.Text);
        Assert.Equal(KernelLogLevel.Warning, log.Last.Level);
    }

    [Fact]
    public void KilledProcess_ReadUnderAnotherCulture_IsStillTheKernelsText()
    {
        var log = Log();
        log.KilledProcess("Out of memory", 100, "t", 8000, 1600, 320, 48, 1000, 976, -17);
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("sv-SE");
            CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture;
            Assert.Equal("Out of memory: Killed process 100 (t) total-vm:8000kB, anon-rss:1600kB, file-rss:320kB, shmem-rss:48kB, UID:1000 pgtables:976kB oom_score_adj:-17", log.Last!.Text);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = saved;
        }
    }

    [Fact]
    public void KernelLogEntry_DeferredText_IsFormattedOnceAndKept()
    {
        var log = Log();
        log.OomReaperUnableToReap(100, "hog");
        var entry = log.Last!;

        Assert.Same(entry.Text, entry.Text);
    }

    [Fact]
    public void KernelLog_DeferredRecords_SurviveAShrunkRingAndAClone()
    {
        var log = Log();
        log.Info("first");
        log.OomReaperUnableToReap(100, "hog");
        log.MmPinned(100, "hog", 1, "init");

        log.Capacity = 2;
        var copy = log.CloneWith(new ManualClock(0));

        var expected = new[] { "oom_reaper: unable to reap pid:100 (hog)", "oom killer 100 (hog) has mm pinned by 1 (init)" };
        Assert.Equal(expected, log.Entries.Select(e => e.Text).ToArray());
        Assert.Equal(expected, copy.Entries.Select(e => e.Text).ToArray());
        Assert.Equal(1, copy.Dropped);
    }

    [Theory]
    [InlineData("{x0}")]
    [InlineData("{s2}")]
    [InlineData("{n8}")]
    [InlineData("{n10}")]
    [InlineData("tail {n")]
    public void KernelLogFormat_Of_RejectsASlotTheRecordDoesNotHave(string template)
    {
        Assert.Throws<ArgumentException>(() => KernelLogFormat.Of(template));
    }

    [Fact]
    public void KernelLogFormat_Of_KeepsAlignmentAndEscapedBraces()
    {
        var format = KernelLogFormat.Of("[{n0,7}] {{{s0}}} {n1:D3}");

        Assert.Equal("[    -42] {abc} 007", format.Format(new KernelLogArgs("abc", null, -42, 7)));
    }
}
