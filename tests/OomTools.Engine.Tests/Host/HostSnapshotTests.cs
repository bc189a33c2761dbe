using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Audit;
using OomTools.Engine.Host;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Host;

/// <summary>
/// HostSnapshot.Read over an in-memory /proc and cgroupfs: what it takes from status, stat, oom_score_adj and
/// cgroup, kernel threads, zombies, the task-list order, v1 and v2 memory cgroups, processes that vanish and
/// files it may not read. Every expected number is worked out by hand in the comments.
/// </summary>
public class HostSnapshotTests
{
    // Flags (field 9 of stat): PF_EXITING 0x4, PF_KTHREAD 0x200000.
    private const uint UserFlags = 0x400100;        // PF_RANDOMIZE | PF_SUPERPRIV: an ordinary process
    private const uint ZombieFlags = 0x40010C;      // ... | PF_EXITING | PF_EXITPIDONE
    private const uint KworkerFlags = 0x4208060;    // ... | PF_KTHREAD (a real kworker's flags, 69238880)
    private const uint ForkNoExec = 0x40;           // no PF_KTHREAD

    private const string Unlimited = "9223372036854771712\n";   // LONG_MAX rounded down to a page: v1's "no limit"
    private const long PageCounterMax = 2251799813685247;        // LONG_MAX / 4096

    /// <summary>
    /// A cgroup v1 host: 4000000 kB RAM = 1000000 pages, 400000 kB swap = 100000 pages, so totalpages = 1100000 and
    /// one point of oom_score_adj is 1100 pages. The pid folders are listed out of order, with "self" and "sys"
    /// among them, a pid (777) whose process exited after the listing, and a pid (300) whose oom_score_adj may not
    /// be read.
    /// </summary>
    private static FakeHostFileSystem V1Host()
    {
        var fs = new FakeHostFileSystem();
        fs.File("/proc/meminfo", ProcText.Meminfo(4000000, 400000));
        fs.File("/proc/zoneinfo", "Node 0, zone      DMA\n  pages free     3840\n        present  3998\nNode 0, zone   Normal\n        present  996002\n");
        fs.File("/sys/fs/cgroup/memory/memory.limit_in_bytes", Unlimited);
        fs.File("/sys/fs/cgroup/memory/system.slice/postgresql.service/memory.limit_in_bytes", "2147483648\n");
        fs.File("/sys/fs/cgroup/memory/system.slice/postgresql.service/memory.memsw.limit_in_bytes", "3221225472\n");
        fs.File("/sys/fs/cgroup/memory/system.slice/postgresql.service/memory.swappiness", "10\n");
        fs.File("/sys/fs/cgroup/memory/app/memory.limit_in_bytes", "1073741824\n");
        fs.File("/sys/fs/cgroup/memory/app/web/memory.limit_in_bytes", "536870912\n");
        fs.File("/sys/fs/cgroup/memory/app/web/memory.memsw.limit_in_bytes", Unlimited);
        fs.File("/sys/fs/cgroup/memory/app/web/memory.swappiness", "0\n");

        Process(fs, 300, "secretive", UserFlags, 800, "/", new ProcText.Vm(4000, 400, 0, 0, 4, 0), uid: 1000);
        fs.Deny("/proc/300/oom_score_adj");
        Process(fs, 205, "worker-b", UserFlags, 700, "/app/web", new ProcText.Vm(4000, 2000, 0, 0, 8, 0), adj: "200\n");
        Process(fs, 100, "postgres", UserFlags, 500, "/system.slice/postgresql.service",
            new ProcText.Vm(100000, 40000, 8000, 4000, 400, 2000), uid: 999, threads: 4, adj: "-500\n");
        // kthreadd on a 6.x kernel: the Kthread line says it, the flags are left without PF_KTHREAD here.
        fs.File("/proc/2/status", ProcText.Status(2, "kthreadd", kthread: true));
        fs.File("/proc/2/stat", ProcText.Stat(2, "kthreadd", ForkNoExec, 1));
        fs.File("/proc/2/oom_score_adj", "0\n");
        fs.File("/proc/2/cgroup", "4:memory:/\n");
        fs.File("/proc/self/status", ProcText.Status(999, "pwsh", new ProcText.Vm(1000, 1000, 0, 0, 4, 0)));
        Process(fs, 30000, "cron", UserFlags, 300, "/system.slice/cron.service", new ProcText.Vm(8000, 400, 1200, 0, 48, 0));
        Process(fs, 1, "systemd", UserFlags, 1, "/", new ProcText.Vm(20000, 8000, 4000, 0, 100, 0));
        fs.Folder("/proc/777");
        // A zombie: PF_EXITING, no Vm lines (its mm is gone).
        fs.File("/proc/50/status", ProcText.Status(50, "defunct", state: "Z (zombie)"));
        fs.File("/proc/50/stat", ProcText.Stat(50, "defunct", ZombieFlags, 400, 'Z'));
        fs.File("/proc/50/oom_score_adj", "0\n");
        fs.File("/proc/50/cgroup", "4:memory:/\n");
        // A kernel thread of an older kernel: no Kthread line, only PF_KTHREAD in the flags.
        fs.File("/proc/3/status", ProcText.Status(3, "rcu_gp", kthread: null, state: "I (idle)"));
        fs.File("/proc/3/stat", ProcText.Stat(3, "rcu_gp", KworkerFlags, 2, 'I'));
        fs.File("/proc/3/oom_score_adj", "0\n");
        fs.File("/proc/3/cgroup", "4:memory:/\n");
        fs.File("/proc/sys/vm/swappiness", "60\n");
        // Started in the same tick as 205 and listed after it; its comm has ") (" in it, which stat does not escape.
        Process(fs, 200, "worker) (a", UserFlags, 700, "/app/web", new ProcText.Vm(4000, 2000, 0, 0, 8, 0));
        return fs;
    }

    private static void Process(FakeHostFileSystem fs, int pid, string name, uint flags, long start, string memcg, ProcText.Vm vm,
        int uid = 0, int threads = 1, string adj = "0\n")
    {
        fs.File($"/proc/{pid}/status", ProcText.Status(pid, name, vm, uid, threads));
        fs.File($"/proc/{pid}/stat", ProcText.Stat(pid, name, flags, start));
        fs.File($"/proc/{pid}/oom_score_adj", adj);
        fs.File($"/proc/{pid}/cgroup", $"12:pids:{memcg}\n4:memory:{memcg}\n3:cpu,cpuacct:/\n1:name=systemd:{memcg}\n0::/\n");
    }

    private static OomMachine Read(IHostFileSystem fs, out List<string> warnings, string cgroupRoot = "/sys/fs/cgroup", int pageSize = 4096)
    {
        var w = new List<string>();
        var m = HostSnapshot.Read(new HostSnapshotOptions { FileSystem = fs, CgroupRoot = cgroupRoot, PageSize = pageSize, Name = "fake" }, w.Add);
        warnings = w;
        return m;
    }

    [Fact]
    public void Meminfo_GivesRamAndSwapInPages()
    {
        var m = Read(V1Host(), out _);

        Assert.Equal("fake", m.Name);
        Assert.Equal(4096, m.PageSize);
        Assert.Equal(1000000, m.TotalRamPages.Value);   // 4000000 kB / 4
        Assert.Equal(100000, m.TotalSwapPages.Value);   // 400000 kB / 4
        Assert.Single(m.Nodes);                         // one node in zoneinfo: all RAM on node 0
        Assert.Equal(1000000, m.Nodes[0].PresentPages.Value);
    }

    [Fact]
    public void Tasks_ComeInStartTimeOrderThenPid_AndOnlyNumericFoldersWhoseProcessIsStillThere()
    {
        var m = Read(V1Host(), out _);

        // start ticks: 1 -> 1, 2 -> 1, 3 -> 2, 30000 -> 300, 50 -> 400, 100 -> 500, 200 -> 700, 205 -> 700, 300 -> 800.
        // 30000 was forked before 100 although its pid is higher (pids wrap); 200 and 205 share a tick: lower pid first.
        // "self", "sys" and 777 (exited after the listing) are not processes of the snapshot.
        Assert.Equal(new[] { 1, 2, 3, 30000, 50, 100, 200, 205, 300 }, m.Tasks.Pids());
        Assert.Null(m.FindTask(777));
        Assert.Null(m.FindTask(999));
    }

    [Fact]
    public void Status_GivesNameIdsThreadsAndTheMmCountersInPages()
    {
        var m = Read(V1Host(), out _);
        var pg = m.GetTask(100);

        Assert.Equal("postgres", pg.Comm);
        Assert.Equal(100, pg.Tgid);
        Assert.Equal(999, pg.Uid);
        Assert.Equal(4, pg.ThreadCount);
        Assert.Equal(-500, pg.OomScoreAdj.Value);
        Assert.Equal(10000, pg.AnonPages.Value);      // RssAnon 40000 kB
        Assert.Equal(2000, pg.FilePages.Value);       // RssFile 8000 kB
        Assert.Equal(1000, pg.ShmemPages.Value);      // RssShmem 4000 kB
        Assert.Equal(500, pg.SwapEntries.Value);      // VmSwap 2000 kB
        Assert.Equal(409600, pg.PageTableBytes);      // VmPTE 400 kB
        Assert.Equal(25000, pg.TotalVm.Value);        // VmSize 100000 kB
        Assert.False(pg.IsKernelThread);
        Assert.False(pg.IsGlobalInit);
        Assert.False(pg.Exiting);
    }

    [Fact]
    public void Stat_IsReadAfterTheLastParenthesis_SoACommWithParenthesesKeepsItsStartTime()
    {
        var m = Read(V1Host(), out _);
        var t = m.GetTask(200);

        Assert.Equal("worker) (a", t.Comm);
        // Its start tick 700 puts it after 100 (500) and before 205 (700, higher pid): see the order test.
        Assert.Equal(6, m.Tasks.ToList().IndexOf(t));
        Assert.False(t.IsKernelThread);
    }

    [Fact]
    public void OomBadnessAndOomScore_OfTheSnapshot_ByHand()
    {
        var m = Read(V1Host(), out _);
        var k = m.Killer;
        var total = new Pages(1100000);

        // 100: 10000 + 2000 + 1000 rss + 500 swap + 409600/4096 = 100 page-table pages = 13600; -500 * 1100 = -550000.
        Assert.Equal(-536400, k.OomBadness(m.GetTask(100), total));
        // oom_score: -536400*1000/1100000 = -487 (truncated toward 0); (1000 - 487) * 2 / 3 = 342.
        Assert.Equal(342, k.ProcOomScore(m.GetTask(100)));
        // 205: 2000 kB/4 = 500 + 8 kB of page tables = 2 pages, + 200 * 1100 = 220502; 220502000/1100000 = 200 -> 1200*2/3 = 800.
        Assert.Equal(220502, k.OomBadness(m.GetTask(205), total));
        Assert.Equal(800, k.ProcOomScore(m.GetTask(205)));
        // 30000: 100 + 300 + 48 kB = 12 pages -> 412; 412000/1100000 = 0 -> 666.
        Assert.Equal(412, k.OomBadness(m.GetTask(30000), total));
        Assert.Equal(666, k.ProcOomScore(m.GetTask(30000)));
        // init, both kernel threads and the zombie read 0.
        foreach (var pid in new[] { 1, 2, 3, 50 })
        {
            Assert.Equal(long.MinValue, k.OomBadness(m.GetTask(pid), total));
            Assert.Equal(0, k.ProcOomScore(m.GetTask(pid)));
        }
    }

    [Fact]
    public void KernelThreads_AreFoundByTheKthreadLineOrByPfKthread_AndHaveNoMm()
    {
        var m = Read(V1Host(), out _);

        var kthreadd = m.GetTask(2);   // "Kthread: 1", flags without PF_KTHREAD
        var rcu = m.GetTask(3);        // no Kthread line, PF_KTHREAD 0x200000 in 0x4208060
        Assert.True(kthreadd.IsKernelThread);
        Assert.True(rcu.IsKernelThread);
        Assert.Null(kthreadd.Mm);
        Assert.Null(rcu.Mm);
        Assert.False(kthreadd.IsGlobalInit);
        Assert.True(m.GetTask(1).IsGlobalInit);
        Assert.False(m.GetTask(1).IsKernelThread);
    }

    [Fact]
    public void Zombie_WithoutVmLines_HasNoMm_AndIsExiting()
    {
        var m = Read(V1Host(), out _);
        var z = m.GetTask(50);

        Assert.Null(z.Mm);
        Assert.True(z.Exiting);                // PF_EXITING (0x4) is in 0x40010C
        Assert.False(z.IsKernelThread);
        var c = BadnessRanking.ScoreAll(m, new OomControl()).Single(x => x.Pid == 50);
        Assert.Equal(OomSkipReason.NoMm, c.Reason);
    }

    [Fact]
    public void PermissionDeniedFile_BecomesAWarningAndTheDefault()
    {
        var m = Read(V1Host(), out var warnings);

        Assert.Equal(new[] { "cannot read /proc/300/oom_score_adj: permission denied (a default is used)" }, warnings);
        var t = m.GetTask(300);
        Assert.Equal(0, t.OomScoreAdj.Value);
        Assert.Equal(1000, t.Uid);
        Assert.Equal(101, m.Killer.OomBadness(t, new Pages(1100000)));   // 400 kB = 100 pages + 4 kB = 1 page of page tables
    }

    [Fact]
    public void DeniedStatus_LeavesTheProcessOutWithAWarning()
    {
        var fs = V1Host();
        Process(fs, 301, "hidden", UserFlags, 900, "/", new ProcText.Vm(4000, 400, 0, 0, 4, 0));
        fs.Deny("/proc/301/status");

        var m = Read(fs, out var warnings);

        Assert.Null(m.FindTask(301));
        Assert.Contains("cannot read /proc/301/status: permission denied (a default is used)", warnings);
    }

    [Fact]
    public void VanishedProcess_IsSkippedWithoutAWarning()
    {
        // 777 is listed in /proc, but its files are gone by the time they are read (ENOENT/ESRCH read as null).
        var fs = V1Host();

        var m = Read(fs, out var warnings);

        Assert.Null(m.FindTask(777));
        Assert.Contains("/proc/777/status", fs.Reads);
        Assert.DoesNotContain(warnings, w => w.Contains("777"));
        Assert.Equal(9, m.Tasks.Count);
    }

    [Fact]
    public void V1MemoryCgroups_TakeTheirLimitsMemswAndSwappiness_ParentsIncluded()
    {
        var m = Read(V1Host(), out _);

        Assert.Equal(CgroupVersion.V1, m.CgroupVersion);
        var pg = m.GetCgroup("/system.slice/postgresql.service");
        Assert.Equal(524288, pg.MemoryMax.Value);             // 2147483648 / 4096
        Assert.Equal(786432, pg.MemswMax.Value);              // 3221225472 / 4096
        Assert.Equal(10, pg.Swappiness);
        var slice = m.GetCgroup("/system.slice");             // a parent without files of its own: unlimited
        Assert.Equal(PageCounterMax, slice.MemoryMax.Value);
        Assert.Equal(262144, m.GetCgroup("/app").MemoryMax.Value);       // 1073741824 / 4096
        var web = m.GetCgroup("/app/web");
        Assert.Equal(131072, web.MemoryMax.Value);                       // 536870912 / 4096
        Assert.Equal(PageCounterMax, web.MemswMax.Value);                // 9223372036854771712 / 4096 = 2^51 - 1
        Assert.Equal(0, web.Swappiness);
        Assert.Equal(PageCounterMax, m.GetCgroup("/system.slice/cron.service").MemoryMax.Value);

        Assert.Equal("/system.slice/postgresql.service", m.GetTask(100).Memcg.Path);
        Assert.Equal(new[] { 200, 205 }, web.Tasks.Pids());
        Assert.Equal("/", m.GetTask(300).Memcg.Path);
        Assert.Equal("/", m.GetTask(2).Memcg.Path);
    }

    [Fact]
    public void V1MemcgOom_UsesTheSnapshotsLimits()
    {
        var m = Read(V1Host(), out _);

        // postgresql.service: 524288 + min(786432 - 524288, 100000 swap pages) = 624288 (swappiness 10).
        var pg = BadnessRanking.ScoreAll(m, new OomControl { Memcg = m.GetCgroup("/system.slice/postgresql.service") });
        Assert.Equal(624288, Assert.Single(pg).TotalPages);
        // /app/web: swappiness 0 adds no swap, so totalpages = 131072 and one adj point is 131 pages:
        // 205 scores 502 + 200 * 131 = 26702.
        var web = BadnessRanking.ScoreAll(m, new OomControl { Memcg = m.GetCgroup("/app/web") });
        Assert.All(web, c => Assert.Equal(131072, c.TotalPages));
        Assert.Equal(26702, web.Single(c => c.Pid == 205).Points);
        Assert.Equal(502, web.Single(c => c.Pid == 200).Points);
    }

    /// <summary>
    /// A cgroup v2 host with two NUMA nodes: 8000000 kB = 2000000 pages of RAM, no swap; kubepods.slice unlimited
    /// ("max"), its pod1.slice limited to 256 MiB with no swap and memory.oom.group set.
    /// </summary>
    private static FakeHostFileSystem V2Host()
    {
        var fs = new FakeHostFileSystem();
        fs.File("/proc/meminfo", ProcText.Meminfo(8000000, 0));
        fs.File("/proc/zoneinfo",
            "Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon 10\n  pages free     3840\n        present  3998\n        managed  3840\n" +
            "Node 0, zone    DMA32\n        present  496002\nNode 0, zone  Movable\n        present  0\n" +
            "Node 1, zone   Normal\n  pages free     100\n        present  1500000\n        managed  1490000\n");
        fs.File("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
        fs.File("/sys/fs/cgroup/kubepods.slice/memory.max", "max\n");
        fs.File("/sys/fs/cgroup/kubepods.slice/memory.swap.max", "max\n");
        fs.File("/sys/fs/cgroup/kubepods.slice/memory.oom.group", "0\n");
        fs.File("/sys/fs/cgroup/kubepods.slice/pod1.slice/memory.max", "268435456\n");
        fs.File("/sys/fs/cgroup/kubepods.slice/pod1.slice/memory.swap.max", "0\n");
        fs.File("/sys/fs/cgroup/kubepods.slice/pod1.slice/memory.oom.group", "1\n");
        V2Process(fs, 1, "systemd", 1, "/init.scope", new ProcText.Vm(20000, 8000, 4000, 0, 100, 0));
        V2Process(fs, 401, "sidecar", 60, "/kubepods.slice/pod1.slice", new ProcText.Vm(40000, 20000, 4000, 0, 80, 0));
        V2Process(fs, 400, "app", 50, "/kubepods.slice/pod1.slice", new ProcText.Vm(400000, 200000, 8000, 0, 400, 0));
        return fs;
    }

    private static void V2Process(FakeHostFileSystem fs, int pid, string name, long start, string memcg, ProcText.Vm vm)
    {
        fs.File($"/proc/{pid}/status", ProcText.Status(pid, name, vm));
        fs.File($"/proc/{pid}/stat", ProcText.Stat(pid, name, UserFlags, start));
        fs.File($"/proc/{pid}/oom_score_adj", "0\n");
        fs.File($"/proc/{pid}/cgroup", $"0::{memcg}\n");
    }

    [Fact]
    public void V2MemoryCgroups_ReadMaxSwapMaxAndOomGroup_WithMaxAsUnlimited()
    {
        var m = Read(V2Host(), out var warnings);

        Assert.Empty(warnings);
        Assert.Equal(CgroupVersion.V2, m.CgroupVersion);
        var pods = m.GetCgroup("/kubepods.slice");
        Assert.Equal(PageCounterMax, pods.MemoryMax.Value);   // "max"
        Assert.Equal(PageCounterMax, pods.SwapMax.Value);     // "max"
        Assert.False(pods.OomGroup);
        var pod1 = m.GetCgroup("/kubepods.slice/pod1.slice");
        Assert.Equal(65536, pod1.MemoryMax.Value);            // 268435456 / 4096
        Assert.Equal(0, pod1.SwapMax.Value);
        Assert.True(pod1.OomGroup);
        Assert.Equal(new[] { 1, 400, 401 }, m.Tasks.Pids());  // start ticks 1, 50, 60
        Assert.Equal(new[] { 400, 401 }, pod1.Tasks.Pids());
        Assert.Equal("/init.scope", m.GetTask(1).Memcg.Path);

        // A memcg OOM in pod1: 65536 pages, no swap; one adj point is 65 pages. app: 50000 + 2000 + 100 = 52100.
        var c = BadnessRanking.ScoreAll(m, new OomControl { Memcg = pod1 });
        Assert.All(c, x => Assert.Equal(65536, x.TotalPages));
        Assert.Equal(52100, c.Single(x => x.Pid == 400).Points);
    }

    [Fact]
    public void Zoneinfo_PresentPagesAreSummedPerNode()
    {
        var m = Read(V2Host(), out _);

        // Node 0: 3998 + 496002 + 0 = 500000; node 1: 1500000 ("managed" lines are not present pages).
        Assert.Equal(new long[] { 500000, 1500000 }, m.Nodes.Select(n => n.PresentPages.Value).ToArray());
    }

    [Fact]
    public void NoMemoryController_PutsEveryProcessInTheRoot()
    {
        var m = Read(V1Host(), out var warnings, cgroupRoot: "/nowhere");

        Assert.Empty(m.Cgroups.Skip(1));
        Assert.All(m.Tasks, t => Assert.Equal("/", t.Memcg.Path));
        Assert.Single(warnings);   // only the denied oom_score_adj
    }

    [Fact]
    public void V2RootWithoutTheMemoryController_IsNoMemoryController()
    {
        var fs = V2Host();
        fs.File("/sys/fs/cgroup/cgroup.controllers", "cpu io pids\n");

        var m = Read(fs, out _);

        Assert.All(m.Tasks, t => Assert.Equal("/", t.Memcg.Path));
    }

    [Fact]
    public void PageSize_DividesTheKilobytes()
    {
        var m = Read(V1Host(), out _, pageSize: 16384);

        Assert.Equal(250000, m.TotalRamPages.Value);                 // 4000000 kB / 16
        Assert.Equal(2500, m.GetTask(100).AnonPages.Value);          // 40000 kB / 16
        Assert.Equal(131072 / 4, m.GetCgroup("/app/web").MemoryMax.Value);   // 536870912 / 16384 = 32768
    }

    [Fact]
    public void On64KiBPages_KilobytesTruncateToWholePages_AndBytesLimitsToo()
    {
        var fs = new FakeHostFileSystem();
        fs.File("/proc/meminfo", ProcText.Meminfo(1000000, 100));          // 15625 pages; 100 kB of swap is 1 page
        fs.File("/sys/fs/cgroup/memory/memory.limit_in_bytes", Unlimited);
        fs.File("/sys/fs/cgroup/memory/app/memory.limit_in_bytes", "536870913\n");   // a byte over 8192 pages
        fs.File("/sys/fs/cgroup/memory/app/memory.usage_in_bytes", "65535\n");       // less than a page
        Process(fs, 100, "java", UserFlags, 10, "/app", new ProcText.Vm(6400, 127, 64, 63, 12, 128));

        var m = Read(fs, out var warnings, pageSize: 65536);

        Assert.Empty(warnings);
        Assert.Equal((15625L, 1L), (m.TotalRamPages.Value, m.TotalSwapPages.Value));
        var t = m.GetTask(100);
        // RssAnon 127 kB, RssFile 64 kB, RssShmem 63 kB, VmSwap 128 kB, VmSize 6400 kB over 64 kB pages.
        Assert.Equal((1L, 1L, 0L, 2L, 100L), (t.AnonPages.Value, t.FilePages.Value, t.ShmemPages.Value, t.SwapEntries.Value, t.TotalVm.Value));
        Assert.Equal(12 * 1024, t.PageTableBytes);                          // VmPTE 12 kB, kept in bytes
        var app = m.GetCgroup("/app");
        Assert.Equal(8192, app.MemoryMax.Value);
        Assert.Equal(0, app.Usage!.Value.Value);
        Assert.Equal(m.PageCounterMax, m.GetCgroup("/").MemoryMax);         // LONG_MAX rounded down, over 64 KiB pages
    }

    [Fact]
    public void AVmPteTooLargeForBytes_LeavesTheProcessOutWithAWarning()
    {
        var fs = new FakeHostFileSystem();
        fs.File("/proc/meminfo", ProcText.Meminfo(4000000, 0));
        Process(fs, 1, "systemd", UserFlags, 1, "/", new ProcText.Vm(20000, 8000, 4000, 0, 100, 0));
        Process(fs, 100, "garbled", UserFlags, 10, "/", new ProcText.Vm(20000, 8000, 4000, 0, long.MaxValue / 1024 + 1, 0));

        var m = Read(fs, out var warnings);

        Assert.Equal(new[] { 1 }, m.Tasks.Select(x => x.Pid).ToArray());
        Assert.Equal("process 100 (garbled) left out: its VmPTE does not fit a 64-bit byte count", Assert.Single(warnings));
    }

    [Fact]
    public void MissingMeminfo_IsInvalidState()
    {
        var fs = new FakeHostFileSystem().File("/proc/1/status", ProcText.Status(1, "init"));

        var ex = Assert.Throws<OomEngineException>(() => Read(fs, out _));

        Assert.Equal(OomError.InvalidState, ex.Error);
        Assert.Contains("/proc/meminfo", ex.Message);
    }

    [Fact]
    public void DeniedZoneinfo_GivesOneNode()
    {
        var fs = V2Host().Deny("/proc/zoneinfo");

        var m = Read(fs, out _);

        Assert.Single(m.Nodes);
        Assert.Equal(2000000, m.Nodes[0].PresentPages.Value);
    }

    [Fact]
    public void Name_WithAnEscapedBackslash_IsUnescapedOnce()
    {
        // The kernel prints a backslash in a comm as \\ and a newline as \n (seq_escape_str with "\n\\").
        // The comm `a\nb` (a, backslash, n, b) is printed `a\\nb` and must read back as `a\nb`.
        var fs = V1Host();
        Process(fs, 302, @"a\\nb", UserFlags, 950, "/", new ProcText.Vm(4000, 400, 0, 0, 4, 0));

        var m = Read(fs, out _);

        Assert.Equal(@"a\nb", m.GetTask(302).Comm);
    }
}
