using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using OomTools.Engine.Model;
using OomTools.Engine.Reports;
using Xunit;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// A memcg report's stat lines (v1 memory.stat: <c>rss</c>/<c>total_rss</c> in bytes; v2: <c>anon</c>; before 4.19
/// one <c>rss:NKB</c> line per cgroup) against its rows' rss_anon: anon the rows map beyond what is charged to the
/// cgroup is taken as copy-on-write shared with a parent outside it, so a kill frees only private pages.
/// </summary>
public class MemcgStatInferenceTests
{
    private const string Cg = "/lab/test";

    /// <summary>A 6.18 v1 memcg report: a limit of 40000 pages, the stat lines given, rows (pid, anon pages, adj, comm).</summary>
    private static string Report(IEnumerable<string> stats, params (int Pid, long Anon, int Adj, string Comm)[] rows)
    {
        var b = new StringBuilder();
        b.AppendLine("[  100.000001] grower invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
        b.AppendLine("[  100.000002] CPU: 0 UID: 0 PID: 10 Comm: grower Not tainted 6.18.44 #1 PREEMPT(none)");
        // The page counter agrees with the stat lines (anon + cache + kmem), as it does when they are flushed.
        long StatBytes(string key) => stats.Select(l => l.Split(' ')).Where(f => f[0] == key).Select(f => long.Parse(f[1])).FirstOrDefault();
        long usageKb = StatBytes("total_rss") + StatBytes("total_cache") is > 0 and var counted ? counted / 1024 + 100 : 160000;
        b.AppendLine($"[  100.000003] memory: usage {usageKb}kB, limit 160000kB, failcnt 10");
        b.AppendLine("[  100.000004] memory+swap: usage 160000kB, limit 9007199254740988kB, failcnt 0");
        b.AppendLine("[  100.000005] kmem: usage 100kB, limit 9007199254740988kB, failcnt 0");
        b.AppendLine($"[  100.000006] Memory cgroup stats for {Cg}:");
        foreach (var s in stats) b.AppendLine("[  100.000007] " + s);
        b.AppendLine("[  100.000008] Tasks state (memory values in pages):");
        b.AppendLine("[  100.000009] [  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name");
        foreach (var (pid, anon, adj, comm) in rows)
            b.AppendLine($"[  100.000010] [{pid,7}]     0 {pid,5} {anon + 500,8} {anon + 300,8} {anon,8}      300         0    65536        0 {adj,13} {comm}");
        var victim = rows.OrderByDescending(r => r.Anon + 300 + 16 + (long)r.Adj * 40000 / 1000).First();
        b.AppendLine($"[  100.000011] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg={Cg},task_memcg={Cg},task={victim.Comm},pid={victim.Pid},uid=0");
        b.AppendLine($"[  100.000012] Memory cgroup out of memory: Killed process {victim.Pid} ({victim.Comm}) total-vm:{(victim.Anon + 500) * 4}kB, anon-rss:{victim.Anon * 4}kB, file-rss:1200kB, shmem-rss:0kB, UID:0 pgtables:64kB oom_score_adj:{victim.Adj}");
        return b.ToString();
    }

    private static string[] V1(long ownAnonPages, long totalAnonPages) => new[]
    {
        "cache 1228800", $"rss {ownAnonPages * 4096}", "rss_huge 0", "shmem 0", "mapped_file 1228800", "pgfault 5",
        "hierarchical_memory_limit 163840000", "total_cache 1228800", $"total_rss {totalAnonPages * 4096}", "total_rss_huge 0", "total_shmem 0",
    };

    // Three workers forked from one parent outside: each maps 2000 of its parent's pages and 1000, 1100, 1200 of
    // its own; a grower with 4000 of its own.
    private static readonly (int, long, int, string)[] Forked =
    {
        (11, 3000, 0, "worker"), (12, 3100, 500, "worker"), (13, 3200, 0, "worker"), (10, 4000, 0, "grower"),
    };

    [Fact]
    public void V1StatLines_AreParsedInBytes()
    {
        var r = Assert.Single(ReportInput.ParseText(Report(V1(100, 7000), Forked)));
        Assert.NotNull(r.MemcgStats);
        Assert.Equal(100 * 4096, r.MemcgStats!.Anon!.Value.Value);
        Assert.Equal(7000 * 4096, r.MemcgStats.TotalAnon!.Value.Value);
        Assert.Equal(7000 * 4096, r.MemcgStats.ChargedAnon!.Value.Value);
        Assert.Equal(1228800, r.MemcgStats.File!.Value.Value);
        Assert.Equal(0, r.MemcgStats.TotalShmem!.Value.Value);
    }

    [Fact]
    public void V2StatLines_AnonIsTheChargedAnon()
    {
        var r = Assert.Single(ReportInput.ParseText(Report(new[] { "anon 28672000", "file 4096", "kernel 8192", "shmem 0", "anon_thp 0" }, Forked)));
        Assert.Equal(28672000, r.MemcgStats!.ChargedAnon!.Value.Value);
        Assert.Null(r.MemcgStats.TotalAnon);
        Assert.Equal(4096, r.MemcgStats.File!.Value.Value);
    }

    [Fact]
    public void OldOneLineFormat_SumsTheHierarchyInKilobytes()
    {
        var text = "[ 5.1] Memory cgroup stats for /a: cache:8KB rss:400KB rss_huge:0KB mapped_file:0KB swap:0KB\n" +
                   "[ 5.2] Memory cgroup stats for /a/b: cache:0KB rss:100KB rss_huge:0KB mapped_file:0KB swap:0KB\n" +
                   "[ 5.3] Memory cgroup out of memory: Killed process 5 (x) total-vm:100kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB\n";
        var r = Assert.Single(ReportInput.ParseText(text));
        Assert.Equal(400 * 1024, r.MemcgStats!.Anon!.Value.Value);
        Assert.Equal(500 * 1024, r.MemcgStats.TotalAnon!.Value.Value);
        Assert.Equal(8 * 1024, r.MemcgStats.File!.Value.Value);
    }

    [Fact]
    public void RowsAboveTheChargedAnon_GiveOnePoolChargedOutside_AndAKillFreesOnlyPrivatePages()
    {
        // Rows: 3000 + 3100 + 3200 + 4000 = 13300 pages of anon; charged: 1000 + 1100 + 1200 + 4000 = 7300.
        var r = Assert.Single(ReportInput.ParseText(Report(V1(7300, 7300), Forked)));
        var m = r.Machine!;
        var pool = Assert.Single(m.Shared);
        Assert.Equal(SharedMemoryKind.CowAnon, pool.Kind);
        Assert.Equal(2000, pool.PageCount);
        Assert.Equal("/", pool.Memcg.Path);
        Assert.Equal(new[] { 11, 12, 13 }, pool.MapperPids.OrderBy(p => p));
        var said = Assert.Single(r.Inferred);
        Assert.StartsWith(CowSharingInference.Said, said);
        Assert.Contains("6000 pages taken as copy-on-write shared with a parent outside the cgroup, among the 3 rows named worker", said);
        Assert.Contains(said, r.Assumptions);
        // The counters stay as printed, so the choice is the plain one.
        Assert.True(r.AgreedBeforeInference);
        Assert.Equal(3100, m.GetTask(12).Mm!.AnonPages.Value);
        var outcome = ReportReplay.Replay(r, m.Clone());
        Assert.True(outcome.AgreesWithKernel, outcome.Disagreement);

        // A worker's kill gives back its 1100 private anon pages (file pages stay in the page cache), not the 2000 it shares.
        long before = m.GetCgroup(Cg).Usage!.Value.Value;
        var exit = m.Exit.DoExit(m.GetTask(12));
        Assert.Empty(exit.SharedFreed);
        Assert.Equal(1100, exit.Freed.Value);
        Assert.Equal(before - exit.Freed.Value, m.GetCgroup(Cg).Usage!.Value.Value);
    }

    [Fact]
    public void WithinTheStatCountersSlack_NothingIsInferred()
    {
        var r = Assert.Single(ReportInput.ParseText(Report(V1(13200, 13200), Forked)));
        Assert.Empty(r.Machine!.Shared);
        Assert.Empty(r.Inferred);
        Assert.DoesNotContain(r.Assumptions, a => a.StartsWith(CowSharingInference.Said));
    }

    [Fact]
    public void WithoutStatLines_NothingIsInferred()
    {
        var r = Assert.Single(ReportInput.ParseText(Report(new string[0], Forked)));
        Assert.Null(r.MemcgStats?.ChargedAnon);
        Assert.Empty(r.Machine!.Shared);
        Assert.Empty(r.Inferred);
    }

    [Fact]
    public void NoRowsOfOneNameCanMapTheExcess_NotModelledButSaid()
    {
        // 9000 pages over, and the only two rows of one name would each map 4500: more than their 3000.
        var r = Assert.Single(ReportInput.ParseText(Report(V1(1000, 1000), (11, 3000, 0, "a"), (12, 3000, 0, "a"), (10, 4000, 0, "grower"))));
        Assert.Empty(r.Machine!.Shared);
        Assert.Empty(r.Inferred);
        Assert.Contains(r.Assumptions, a => a.StartsWith(CowSharingInference.Said) && a.Contains("not modelled"));
    }

    [Fact]
    public void IdenticalRowsCountedOnceMatchTheCharge_TakenAsOneMm()
    {
        // Three identical rows of 3000 pages and a grower: 13000 mapped, 7000 charged, and counted once 3000 + 4000.
        // CloneVmFromStats: three rows of one adj are not a vfork pair, so they are rebuilt as one mm (CLONE_VM).
        var r = Assert.Single(ReportInput.ParseText(Report(V1(7000, 7000), (11, 3000, 0, "t"), (12, 3000, 0, "t"), (13, 3000, 0, "t"), (10, 4000, 0, "grower"))));
        var m = r.Machine!;
        Assert.Empty(m.Shared);
        Assert.Same(m.GetTask(11).Mm, m.GetTask(12).Mm);
        Assert.Same(m.GetTask(11).Mm, m.GetTask(13).Mm);
        Assert.Contains(r.Inferred, i => i.StartsWith(CloneVmFromStats.Said) && i.Contains("pids 11 and 13 share one mm"));
        // One mm of 3000 pages, charged once: the machine maps what the cgroup is charged.
        Assert.Equal(3000, m.GetTask(13).Mm!.AnonPages.Value);
    }

    [Fact]
    public void Memcg1009_TheStormKillsTheKernelsSequence()
    {
        // Ten python3 rows forked from the lab's python parent (outside the cgroup): rss_anon adds up to 44670 pages,
        // total_rss charges 23957.
        var path = Path.Combine(ReportInput.MemcgDir, "memcg-1009.log");
        var reports = ReportInput.ParseFile(path);
        Assert.Contains(reports[0].Inferred, i => i.StartsWith(CowSharingInference.Said) && i.Contains("20713 pages") && i.Contains("10 rows named python3"));
        var machine = reports[0].Machine!.Clone();
        var trigger = machine.GetTask(reports[0].TriggerPid!.Value);
        var outcomes = new List<OomTools.Engine.Killer.OomOutcome>();
        var result = OomTools.Engine.PageAlloc.ChargeResult.Charged;
        for (int i = 0; i < 100_000 && result == OomTools.Engine.PageAlloc.ChargeResult.Charged; i++)
            result = machine.PageAllocator.Charge(trigger, new OomTools.Engine.Units.Pages(16), outcomes);
        Assert.Equal(new[] { 9706, 9705, 9701, 9713 }, outcomes.SelectMany(o => o.Killed).Select(t => t.Pid));
        Assert.Equal(reports.SelectMany(r => r.KilledPids), outcomes.SelectMany(o => o.Killed).Select(t => t.Pid));
    }

    [Fact]
    public void ForkPair_SideBySide_KillingOneFreesNothingTheOtherStillMaps()
    {
        // CowForkPairs: 11 forked 12 after touching 3000 pages; both print them, the cgroup is charged once. The child
        // has faulted back fewer file pages (fork does not copy their page tables), so the rows are not one mm.
        string text = Report(V1(4000, 4000), (11, 3000, 0, "w"), (12, 3000, 0, "w"), (10, 1000, 0, "grower"));
        text = text.Replace("[     12]     0    12     3500     3300     3000      300 ", "[     12]     0    12     3500     3100     3000      100 ");
        var r = ForkPairOf11And12(text, 3000);
        var m = r.Machine!;
        Assert.Equal(Cg, m.Shared[0].Memcg.Path);
        Assert.True(r.AgreedBeforeInference);

        var child = m.Exit.DoExit(m.GetTask(12));
        Assert.Equal(0, child.Freed.Value);
        var parent = m.Exit.DoExit(m.GetTask(11));
        Assert.Equal(3000, parent.Freed.Value);
    }

    [Fact]
    public void ForkPair_ParentThatStartedThreadsSinceTheFork_SharesTheChildsAnon()
    {
        // CowForkPairs: 11 forked 12 after touching 3000 pages, then started threads: their stacks are new mappings
        // (total_vm 40000) and 32 new anon pages of its own. The idle child maps the 3000, charged once.
        string text = Report(V1(4032, 4032), (11, 3032, 0, "w"), (12, 3000, 0, "w"), (10, 1000, 0, "grower"));
        text = text.Replace("[     11]     0    11     3532     3332     3032      300 ", "[     11]     0    11    40000     3332     3032      300 ");
        text = text.Replace("[     12]     0    12     3500     3300     3000      300 ", "[     12]     0    12     3500     3100     3000      100 ");
        var m = ForkPairOf11And12(text, 3000).Machine!;

        Assert.Equal(0, m.Exit.DoExit(m.GetTask(12)).Freed.Value);
        Assert.Equal(3032, m.Exit.DoExit(m.GetTask(11)).Freed.Value);
    }

    // The report parsed, with 11 and 12 taken as a parent and its forked child sharing one pool of `shared` pages.
    private static OomReport ForkPairOf11And12(string text, long shared)
    {
        var r = Assert.Single(ReportInput.ParseText(text));
        var pool = Assert.Single(r.Machine!.Shared);
        Assert.Equal("cow:11", pool.Name);
        Assert.Equal(shared, pool.PageCount);
        Assert.Contains(r.Inferred, i => i.StartsWith(CowSharingInference.Said) && i.Contains("pids 11+12"));
        return r;
    }

    [Fact]
    public void ForkPair_NotTaken_WhenTheLaterRowHasMoreAnon()
    {
        // A child maps at most what its parent had at the fork, and the parent loses none of it while both live.
        string text = Report(V1(4032, 4032), (11, 3000, 0, "w"), (12, 3032, 0, "w"), (10, 1000, 0, "grower"));
        text = text.Replace("[     12]     0    12     3532     3332     3032      300 ", "[     12]     0    12     3500     3132     3032      100 ");
        var r = Assert.Single(ReportInput.ParseText(text));
        Assert.DoesNotContain(r.Machine!.Shared, s => s.Name == "cow:11");
    }

    [Fact]
    public void ForkPair_NotTaken_WhenTheRowsDifferInOomScoreAdj()
    {
        // copy_signal gives the child its parent's oom_score_adj: rows that differ were not forked one from the other.
        var r = Assert.Single(ReportInput.ParseText(Report(V1(4000, 4000), (11, 3000, 0, "w"), (12, 3000, 300, "w"), (10, 1000, 0, "grower"))));
        Assert.DoesNotContain(r.Machine!.Shared, s => s.Name == "cow:11");
    }

    [Fact]
    public void TwoForkFamilies_OnePoolEach_EveryMapperKeepsTheSamePrivatePages()
    {
        // Three rows of one parent (3000 anon, total_vm 3500) and two of another (2000, total_vm 2500), 500 private
        // each: no one share fits every "w" row, so each family of one name and one total_vm gets its own pool.
        var r = Assert.Single(ReportInput.ParseText(Report(V1(6500, 6500),
            (11, 3000, 0, "w"), (12, 3000, 100, "w"), (13, 3000, 0, "w"), (14, 2000, 0, "w"), (15, 2000, 200, "w"), (10, 4000, 0, "grower"))));
        var m = r.Machine!;
        Assert.Equal(new long[] { 2500, 1500 }, m.Shared.Select(s => s.PageCount));
        Assert.Contains(r.Inferred, i => i.StartsWith(CowSharingInference.Said) && i.Contains("each mapper keeps 500 private pages"));
        Assert.Equal(500, m.Exit.DoExit(m.GetTask(11)).Freed.Value);
        Assert.Equal(500, m.Exit.DoExit(m.GetTask(15)).Freed.Value);
    }

    /// <summary>A report whose rows (pid, anon, shmem) map shmem, with the v1 stat lines charging <paramref name="chargedShmem"/> pages of it.</summary>
    private static string ShmemReport(long chargedShmem, params (int Pid, long Anon, long Shmem)[] rows)
    {
        long anon = rows.Sum(x => x.Anon);
        string[] stats =
        {
            $"cache {chargedShmem * 4096}", $"rss {anon * 4096}", $"shmem {chargedShmem * 4096}",
            $"total_cache {chargedShmem * 4096}", $"total_rss {anon * 4096}", $"total_shmem {chargedShmem * 4096}",
        };
        string text = Report(stats, rows.Select(x => (x.Pid, x.Anon, 0, "w")).ToArray());
        foreach (var (pid, a, shmem) in rows)
            text = text.Replace($"{a + 300,8} {a,8}      300         0 ", $"{a + 300 + shmem,8} {a,8}      300 {shmem,9} ");
        return text;
    }

    [Fact]
    public void ShmemAsChargedAsTheRowsMap_IsFreedWithItsProcess()
    {
        // ShmemLifetimeInference: 2048 shmem pages charged, 2048 mapped: no linked file keeps an unmapped page.
        var r = Assert.Single(ReportInput.ParseText(ShmemReport(2048, (11, 3000, 1024), (12, 2000, 1024))));
        var m = r.Machine!;
        Assert.Equal(new[] { "shmem:11", "shmem:12" }, m.Shared.Select(s => s.Name));
        Assert.Contains(r.Inferred, i => i.StartsWith(ShmemLifetimeInference.Said));
        Assert.True(r.AgreedBeforeInference);
        Assert.Equal(3000 + 1024, m.Exit.DoExit(m.GetTask(11)).Freed.Value);
    }

    [Fact]
    public void ShmemBeyondWhatTheRowsMap_StaysWithItsFile()
    {
        // 4096 shmem pages charged and 2048 mapped: a linked tmpfs file keeps pages no one maps, so whose shmem
        // would stay cannot be told; a kill frees no shmem.
        var r = Assert.Single(ReportInput.ParseText(ShmemReport(4096, (11, 3000, 1024), (12, 2000, 1024))));
        var m = r.Machine!;
        Assert.Empty(m.Shared);
        Assert.DoesNotContain(r.Inferred, i => i.StartsWith(ShmemLifetimeInference.Said));
        Assert.Equal(3000, m.Exit.DoExit(m.GetTask(11)).Freed.Value);
    }

    [Fact]
    public void StatLinesLaggingThePageCounter_TheCounterGivesTheChargedAnon()
    {
        // The same workers, but the stat lines print 4000 pages of anon while the page counter says 7300 are charged
        // (usage less kmem and cache): the rstat counters lag a burst of faults, the counter does not.
        string text = Report(V1(100, 7300), Forked).Replace($"total_rss {7300 * 4096}", $"total_rss {4000 * 4096}");
        var r = Assert.Single(ReportInput.ParseText(text));
        var pool = Assert.Single(r.Machine!.Shared);
        Assert.Equal(2000, pool.PageCount);
        Assert.Contains(r.Inferred, i => i.StartsWith(CowSharingInference.Said) && i.Contains("from the page counter") && i.Contains("4000 lag it"));
    }
}
