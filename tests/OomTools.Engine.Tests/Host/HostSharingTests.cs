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
/// What a snapshot reads about sharing: processes on one mm (kcmp, faked here), vfork children, leaders that exited
/// before their threads, and smaps_rollup / smaps of the mms that may share pages. The shapes and their oom_score are
/// those the kernel showed on a 6.18 host (tests/fixtures/host-proc/shapes/oomshapes.c, checked live in
/// Get-OomSnapshot.Tests.ps1); the numbers here are worked by hand.
/// </summary>
public class HostSharingTests
{
    private const uint UserFlags = 0x400100;       // PF_RANDOMIZE | PF_SUPERPRIV: a process that exec'd
    private const uint ForkNoExec = 0x400140;      // ... | PF_FORKNOEXEC: forked, never exec'd
    private const uint ZombieLeader = 0x40804C;    // a pthread_exit leader's flags (4227148): PF_EXITING among them

    /// <summary>
    /// 4000000 kB RAM, no swap: totalpages 1000000, one point of oom_score_adj is 1000 pages.
    ///   10  plain        VmSize 5000 kB
    ///   20  vfork parent VmSize 40000, RssAnon 20000 kB (5000 pages), VmPTE 40 kB; its thread sleeps (D) in kernel_clone
    ///   21  its child    the same mm (kcmp), adj 300
    ///   30  clone parent VmSize 60000, RssAnon 40000 kB (10000 pages), adj 200, asleep in pause
    ///   31  CLONE_VM child of 30, the same mm
    ///   35  fork child of 30, never exec'd: VmSize 60000 too, its own mm
    ///   40  zombie leader (no Vm lines, Threads 3), adj 400; task 41 and 42 hold the mm: RssAnon 60000 kB (15000 pages)
    /// </summary>
    private static FakeHostFileSystem SharingHost()
    {
        var fs = new FakeHostFileSystem();
        fs.File("/proc/meminfo", ProcText.Meminfo(4000000, 0));
        Process(fs, 10, "sh", UserFlags, 100, new ProcText.Vm(5000, 400, 1000, 0, 40, 0));
        Process(fs, 20, "vforker", UserFlags, 200, new ProcText.Vm(40000, 20000, 0, 0, 40, 0), adj: 100, state: "D (disk sleep)");
        Thread(fs, 20, 20, "kernel_clone", 'D');
        Process(fs, 21, "vforker", ForkNoExec, 201, new ProcText.Vm(40000, 20000, 0, 0, 40, 0), adj: 300, ppid: 20);
        Process(fs, 30, "cloner", UserFlags, 300, new ProcText.Vm(60000, 40000, 0, 0, 40, 0), adj: 200);
        Thread(fs, 30, 30, "__do_sys_pause", 'S');
        Process(fs, 31, "cloner", ForkNoExec, 301, new ProcText.Vm(60000, 40000, 0, 0, 40, 0), adj: 200, ppid: 30);
        Process(fs, 35, "cloner", ForkNoExec, 302, new ProcText.Vm(60000, 36000, 0, 0, 40, 0), adj: 200, ppid: 30);
        fs.File("/proc/40/status", ProcText.Status(40, "leader", threads: 3, state: "Z (zombie)"));
        fs.File("/proc/40/stat", ProcText.Stat(40, "leader", ZombieLeader, 400, 'Z'));
        fs.File("/proc/40/oom_score_adj", "400\n");
        fs.File("/proc/40/task/40/status", ProcText.Status(40, "leader", threads: 3, state: "Z (zombie)"));
        foreach (var tid in new[] { 41, 42 })
            fs.File($"/proc/40/task/{tid}/status", ProcText.Status(tid, "leader", new ProcText.Vm(80000, 60000, 0, 0, 40, 0), threads: 3, tgid: 40));
        return fs;
    }

    private static void Process(FakeHostFileSystem fs, int pid, string name, uint flags, long start, ProcText.Vm vm, int adj = 0,
        int ppid = 1, string state = "S (sleeping)")
    {
        fs.File($"/proc/{pid}/status", ProcText.Status(pid, name, vm, state: state, ppid: ppid));
        fs.File($"/proc/{pid}/stat", ProcText.Stat(pid, name, flags, start, state[0]));
        fs.File($"/proc/{pid}/oom_score_adj", adj + "\n");
    }

    /// <summary>A thread's wchan and stat (its state), what the vfork rule reads of a parent.</summary>
    private static void Thread(FakeHostFileSystem fs, int pid, int tid, string wchan, char state)
    {
        fs.File($"/proc/{pid}/task/{tid}/wchan", wchan);
        fs.File($"/proc/{pid}/task/{tid}/stat", ProcText.Stat(tid, "t", UserFlags, 1, state));
    }

    private static FakeMmIdentity Kcmp() => new FakeMmIdentity().Mm(1, 10).Mm(2, 20, 21).Mm(3, 30, 31).Mm(4, 35).Mm(5, 41, 42);

    private static OomMachine Read(IHostFileSystem fs, IMmIdentity? kcmp, out List<string> warnings)
    {
        var w = new List<string>();
        var m = HostSnapshot.Read(new HostSnapshotOptions { FileSystem = fs, PageSize = 4096, Name = "fake", MmIdentity = kcmp }, w.Add);
        warnings = w;
        return m;
    }

    [Fact]
    public void VforkChild_SharesItsParentsMm_IsInVfork_AndScoresZeroAsTheKernelDoes()
    {
        var m = Read(SharingHost(), Kcmp(), out var warnings);
        var parent = m.GetTask(20);
        var child = m.GetTask(21);

        Assert.Empty(warnings);
        Assert.Same(parent.Mm, child.Mm);
        Assert.Equal(20, child.SharesMemoryWith);
        Assert.True(child.InVfork);
        Assert.False(parent.InVfork);
        // oom_badness: in_vfork -> LONG_MIN -> oom_score 0 (the kernel printed 0 for the child whatever its adj).
        Assert.Equal(long.MinValue, m.Killer.OomBadness(child, new Pages(1000000)));
        Assert.Equal(0, m.Killer.ProcOomScore(child));
        // 20: 5000 anon + 10 page-table pages + 100 * 1000 = 105010; 105010000/1000000 = 105; 1105 * 2 / 3 = 736.
        Assert.Equal(105010, m.Killer.OomBadness(parent, new Pages(1000000)));
        Assert.Equal(736, m.Killer.ProcOomScore(parent));
        Assert.Equal(OomSkipReason.InVfork, BadnessRanking.ScoreAll(m, new OomControl()).Single(c => c.Pid == 21).Reason);
    }

    [Fact]
    public void CloneVmChild_SharesTheMm_ButIsNotInVfork_WhenItsParentIsNotInTheVforkWait()
    {
        var m = Read(SharingHost(), Kcmp(), out _);
        var parent = m.GetTask(30);
        var child = m.GetTask(31);
        var forked = m.GetTask(35);

        Assert.Same(parent.Mm, child.Mm);
        Assert.Equal(2, parent.Mm!.Users);                   // one thread each
        Assert.True(parent.Mm.Has(MmFlags.MultiProcess));
        Assert.False(child.InVfork);
        // Both score the one mm: 10000 + 10 + 200 * 1000 = 210010 -> 210 -> 1210 * 2 / 3 = 806.
        Assert.Equal(806, m.Killer.ProcOomScore(parent));
        Assert.Equal(806, m.Killer.ProcOomScore(child));
        // A fork child of the same size has its own mm (kcmp says so).
        Assert.NotSame(parent.Mm, forked.Mm);
        Assert.Null(forked.SharesMemoryWith);
    }

    [Fact]
    public void OnlyProcessesOfEqualVmSize_AreCompared()
    {
        var kcmp = Kcmp();
        Read(SharingHost(), kcmp, out _);

        // VmSize 5000: 10 alone; 40000: 21 against 20; 60000: 31 against 30, 35 against {30}; 80000: 40 (through 41) alone.
        Assert.Equal(3, kcmp.Calls);
    }

    [Fact]
    public void ExitedLeader_IsScoredThroughItsFirstLiveThread_AsFindLockTaskMmDoes()
    {
        var m = Read(SharingHost(), Kcmp(), out _);
        var leader = m.GetTask(40);

        Assert.NotNull(leader.Mm);
        Assert.Null(leader.LeaderMm);                        // the leader itself has passed exit_mm
        Assert.True(leader.Exiting);                         // its PF_EXITING
        Assert.Equal(new[] { 40, 41, 42 }, leader.ThreadList.Select(t => t.Tid));
        Assert.Equal(new[] { false, true, true }, leader.ThreadList.Select(t => t.HasMm));
        Assert.Equal(41, OomKiller.FindLockTaskMm(leader));
        Assert.Equal(15000, leader.AnonPages.Value);          // RssAnon 60000 kB of task 41
        Assert.Equal(2, leader.Mm!.Users);
        // 15000 + 10 + 400 * 1000 = 415010 -> 415 -> 1415 * 2 / 3 = 943 (the kernel: 935 for 80 MiB on a 24 GiB host).
        Assert.Equal(943, m.Killer.ProcOomScore(leader));
    }

    [Fact]
    public void SavedTree_HasNoMmIdentity_SoEachProcessKeepsItsOwnMm()
    {
        // Without kcmp (a saved /proc, or a fake file system and no MmIdentity) nothing is shared and no one is in vfork:
        // the limit of a saved tree. The exited leader is still read through its threads.
        var m = Read(SharingHost(), null, out var warnings);

        Assert.Empty(warnings);
        Assert.NotSame(m.GetTask(20).Mm, m.GetTask(21).Mm);
        Assert.False(m.GetTask(21).InVfork);
        Assert.Equal(943, m.Killer.ProcOomScore(m.GetTask(40)));
    }

    [Fact]
    public void FailedComparison_IsOneWarning_AndTheProcessKeepsItsOwnMm()
    {
        var kcmp = new FakeMmIdentity().Mm(2, 20, 21).Mm(3, 30).Mm(4, 35).Mm(5, 41, 42);   // 31 has exited: ESRCH
        var m = Read(SharingHost(), kcmp, out var warnings);

        Assert.NotSame(m.GetTask(30).Mm, m.GetTask(31).Mm);
        Assert.Same(m.GetTask(20).Mm, m.GetTask(21).Mm);
        var w = Assert.Single(warnings);
        Assert.Contains("1 of 3 mm comparisons failed (kcmp(2): the process has exited)", w);
    }

    [Fact]
    public void VforkRule_NeedsTheParentAsleepInTheForkCall()
    {
        // The same pair, but the parent's thread is running (R): vfork_done is not set, so the child is a CLONE_VM sharer.
        var fs = SharingHost();
        Thread(fs, 20, 20, "kernel_clone", 'R');
        var m = Read(fs, Kcmp(), out _);

        Assert.Same(m.GetTask(20).Mm, m.GetTask(21).Mm);
        Assert.False(m.GetTask(21).InVfork);
    }

    [Fact]
    public void SmapsRollup_IsReadForMmsThatMayShareAnonPages_AndShmemObjectsFromMapsAndSmaps()
    {
        var fs = SharingHost();
        // 35 (forked, never exec'd) and its parent 30 may share copy-on-write pages; 10 exec'd and has no shmem.
        fs.File("/proc/35/smaps_rollup", Rollup(rss: 36000, pss: 20000, shared: 32000, priv: 4000, swap: 0, pssShmem: 0));
        fs.File("/proc/30/smaps_rollup", Rollup(rss: 40000, pss: 24000, shared: 32000, priv: 8000, swap: 400, pssShmem: 0));
        fs.File("/proc/10/smaps_rollup", Rollup(rss: 1400, pss: 700, shared: 1400, priv: 0, swap: 0, pssShmem: 0));
        // 70: a shmem holder (exec'd): a /dev/shm file removed while mapped, a memfd, and a shared mapping of a disk file.
        Process(fs, 70, "holder", UserFlags, 700, new ProcText.Vm(90000, 1000, 4000, 81920, 40, 0));
        var vmas = new[]
        {
            ("7f93efa31000-7f93f4231000 rw-s 00000000 00:1b 37                         /dev/shm/oomshapes-6106 (deleted)", 73728L),
            ("7f93f2231000-7f93f4231000 rw-s 00000000 00:01 4046                       /memfd:oomshapes (deleted)", 4096L),
            ("7f93f3000000-7f93f3400000 rw-s 00000000 00:01 4046                       /memfd:oomshapes (deleted)", 4096L),
            ("7f93f5000000-7f93f5400000 rw-s 00000000 08:01 1234                       /data/table.dat", 4000L),
            ("7f93f6000000-7f93f6021000 rw-p 00000000 00:00 0 ", 1000L),
        };
        fs.File("/proc/70/maps", string.Concat(vmas.Select(v => v.Item1 + "\n")));
        fs.File("/proc/70/smaps", string.Concat(vmas.Select(v => Vma(v.Item1, v.Item2))));
        fs.File("/proc/70/mountinfo", "25 24 0:27 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683792k\n30 1 8:1 / /data rw - ext4 /dev/sda1 rw\n");
        var m = Read(fs, Kcmp(), out _);

        Assert.Null(m.GetTask(10).Mm!.SmapsRollup);           // not read: an exec'd process without shmem
        var r = m.GetTask(35).Mm!.SmapsRollup!;
        Assert.Equal(9000, r.Rss.Value);                      // 36000 kB
        Assert.Equal(5000, r.Pss.Value);
        Assert.Equal(8000, r.SharedPages.Value);              // Shared_Clean + Shared_Dirty
        Assert.Equal(1000, r.PrivatePages.Value);
        Assert.Equal(100, m.GetTask(30).Mm!.SmapsRollup!.Swap.Value);
        Assert.Same(m.GetTask(30).Mm!.SmapsRollup, m.GetTask(31).Mm!.SmapsRollup);   // one mm, read once

        var holder = m.GetTask(70).Mm!;
        Assert.Null(holder.SmapsRollup);                      // exec'd: none of its anonymous pages is shared
        Assert.Collection(holder.ShmemMappings!,
            s => { Assert.Equal("/dev/shm/oomshapes-6106", s.Path); Assert.Equal(ShmemMappingKind.TmpfsFile, s.Kind); Assert.True(s.Unlinked); Assert.Equal(18432, s.Rss.Value); },
            s => { Assert.Equal(("/memfd:oomshapes", "00:01 4046"), (s.Path, s.Inode)); Assert.Equal(ShmemMappingKind.Memfd, s.Kind); Assert.Equal(2048, s.Rss.Value); });
    }

    [Fact]
    public void OneShmemObject_TakesRssShmem_WithoutReadingSmaps()
    {
        // The memfd of a dotnet process, mapped twice: maps (no page walk) shows one object, so all of RssShmem is its.
        var fs = SharingHost();
        Process(fs, 80, "dotnet", UserFlags, 800, new ProcText.Vm(900000, 30000, 20000, 6000, 400, 0));
        fs.File("/proc/80/maps",
            "7f0000000000-7f0000400000 r-xs 00000000 00:01 77                         /memfd:doublemapper (deleted)\n" +
            "7f1000000000-7f1000400000 rw-s 00000000 00:01 77                         /memfd:doublemapper (deleted)\n" +
            "7f2000000000-7f2000021000 rw-p 00000000 00:00 0 \n");
        var m = Read(fs, Kcmp(), out _);

        var o = Assert.Single(m.GetTask(80).Mm!.ShmemMappings!);
        Assert.Equal(("/memfd:doublemapper", ShmemMappingKind.Memfd, true, 1500L), (o.Path, o.Kind, o.Unlinked, o.Rss.Value));   // RssShmem 6000 kB
        Assert.DoesNotContain("/proc/80/smaps", fs.Reads);
        Assert.DoesNotContain("/proc/80/smaps_rollup", fs.Reads);
    }

    [Fact]
    public void DeniedSmaps_IsOneWarning_AndTheScoresDoNotChange()
    {
        var fs = SharingHost();
        fs.Deny("/proc/35/smaps_rollup").Deny("/proc/30/smaps_rollup");
        var m = Read(fs, Kcmp(), out var warnings);

        Assert.Contains(warnings, w => w.StartsWith("cannot read smaps_rollup, maps or smaps of 2 processes: permission denied"));
        Assert.Null(m.GetTask(35).Mm!.SmapsRollup);
        Assert.Equal(806, m.Killer.ProcOomScore(m.GetTask(30)));
    }

    [Fact]
    public void ReadSmapsFalse_ReadsNoSmaps()
    {
        var fs = SharingHost();
        fs.File("/proc/35/smaps_rollup", Rollup(rss: 36000, pss: 20000, shared: 32000, priv: 4000, swap: 0, pssShmem: 0));
        HostSnapshot.Read(new HostSnapshotOptions { FileSystem = fs, MmIdentity = Kcmp(), ReadSmaps = false }, _ => { });

        Assert.DoesNotContain(fs.Reads, p => p.Contains("smaps"));
    }

    [Fact]
    public void LiveProc_IsOnlyThisHostsProcReadFromDisk()
    {
        Assert.True(HostMemorySharing.IsLiveProc(new HostSnapshotOptions()));
        Assert.True(HostMemorySharing.IsLiveProc(new HostSnapshotOptions { ProcRoot = "/proc/" }));
        Assert.False(HostMemorySharing.IsLiveProc(new HostSnapshotOptions { ProcRoot = "/tmp/saved/proc" }));
        Assert.False(HostMemorySharing.IsLiveProc(new HostSnapshotOptions { FileSystem = new FakeHostFileSystem() }));
    }

    private static string Rollup(long rss, long pss, long shared, long priv, long swap, long pssShmem) =>
        "56420e6c0000-7ffe90588000 ---p 00000000 00:00 0                          [rollup]\n" +
        $"Rss:   {rss} kB\nPss:   {pss} kB\nPss_Dirty:   {pss} kB\nPss_Anon:   {pss - pssShmem} kB\nPss_File:   0 kB\nPss_Shmem:   {pssShmem} kB\n" +
        $"Shared_Clean:   {shared / 2} kB\nShared_Dirty:   {shared - shared / 2} kB\nPrivate_Clean:   0 kB\nPrivate_Dirty:   {priv} kB\n" +
        $"Referenced:   {rss} kB\nAnonymous:   {rss - pssShmem} kB\nSwap:   {swap} kB\nSwapPss:   {swap} kB\nLocked:   0 kB\n";

    private static string Vma(string header, long rssKb) =>
        header + "\n" + $"Size:   {rssKb} kB\nKernelPageSize:   4 kB\nRss:   {rssKb} kB\nPss:   {rssKb} kB\nSwap:   0 kB\nVmFlags: rd wr sh mr mw me ms sd\n";
}
