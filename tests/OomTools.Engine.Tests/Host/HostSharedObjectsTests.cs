using System.Linq;
using OomTools.Engine.Audit;
using OomTools.Engine.Host;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Host;

/// <summary>
/// A snapshot turns the shmem objects and smaps_rollup it read into the machine's shared objects: one per device and
/// inode, mapped by every mm that maps it, so a kill gives shared pages back once. Sizes are worked by hand (4 KiB pages).
/// </summary>
public class HostSharedObjectsTests
{
    private const uint UserFlags = 0x400100;       // exec'd
    private const uint ForkNoExec = 0x400140;      // forked, never exec'd
    private const string Mountinfo = "25 24 0:27 / /dev/shm rw,relatime - tmpfs tmpfs rw\n";

    private static void Process(FakeHostFileSystem fs, int pid, string name, uint flags, long start, ProcText.Vm vm, int ppid = 1, string? maps = null)
    {
        fs.File($"/proc/{pid}/status", ProcText.Status(pid, name, vm, ppid: ppid));
        fs.File($"/proc/{pid}/stat", ProcText.Stat(pid, name, flags, start));
        fs.File($"/proc/{pid}/oom_score_adj", "0\n");
        if (maps is null) return;
        fs.File($"/proc/{pid}/maps", maps + "\n7f2000000000-7f2000021000 rw-p 00000000 00:00 0 \n");
        fs.File($"/proc/{pid}/mountinfo", Mountinfo);
    }

    private static string Shm(string devInode, string path) => $"7f1000000000-7f1010000000 rw-s 00000000 {devInode}                         {path}";

    private static OomMachine Read(FakeHostFileSystem fs, out System.Collections.Generic.List<string> warnings)
    {
        var w = new System.Collections.Generic.List<string>();
        var m = HostSnapshot.Read(new HostSnapshotOptions { FileSystem = fs, Name = "fake" }, w.Add);
        warnings = w;
        return m;
    }

    /// <summary>
    /// 200 and 201 map the linked /dev/shm/cache (80000 kB each: 20000 pages), 300 and 301 the unlinked /dev/shm/gone
    /// (40000 kB: 10000 pages); each has 4000 kB (1000 pages) of anon of its own.
    /// </summary>
    private static FakeHostFileSystem FilesHost()
    {
        var fs = new FakeHostFileSystem();
        fs.File("/proc/meminfo", ProcText.Meminfo(4000000, 0));
        Process(fs, 200, "app", UserFlags, 200, new ProcText.Vm(200000, 4000, 0, 80000, 40, 0), maps: Shm("00:1b 37", "/dev/shm/cache"));
        Process(fs, 201, "app", UserFlags, 201, new ProcText.Vm(200000, 4000, 0, 80000, 40, 0), maps: Shm("00:1b 37", "/dev/shm/cache"));
        Process(fs, 300, "app", UserFlags, 300, new ProcText.Vm(100000, 4000, 0, 40000, 40, 0), maps: Shm("00:1b 38", "/dev/shm/gone (deleted)"));
        Process(fs, 301, "app", UserFlags, 301, new ProcText.Vm(100000, 4000, 0, 40000, 40, 0), maps: Shm("00:1b 38", "/dev/shm/gone (deleted)"));
        return fs;
    }

    [Fact]
    public void TwoProcessesMappingOneTmpfsFile_GetOneObject_ChargedToTheFirstStarted()
    {
        var m = Read(FilesHost(), out var warnings);

        Assert.Empty(warnings);
        Assert.Equal(2, m.Shared.Count);
        var cache = m.FindShared("/dev/shm/cache")!;
        Assert.Equal((SharedMemoryKind.Shmem, true, 20000L), (cache.Kind, cache.Linked, cache.PageCount));
        Assert.Equal(new[] { 200, 201 }, cache.MapperPids);
        Assert.Same(m.GetTask(200).Memcg, cache.Memcg);
        var gone = m.FindShared("/dev/shm/gone")!;
        Assert.Equal((SharedMemoryKind.Shmem, false, 10000L), (gone.Kind, gone.Linked, gone.PageCount));
        // The counters stay what /proc says: oom_badness scores every mapped page in each mapper.
        Assert.Equal(21000, m.GetTask(201).Rss.Value);
        Assert.Equal(20000, m.GetTask(201).Mm!.SharedShmemPages.Value);
    }

    [Fact]
    public void LinkedFile_KeepsItsPagesWhenBothMappersDie_UnlinkedOne_GoesWithTheLast()
    {
        var m = Read(FilesHost(), out _);
        var exit = m.Exit;

        long first = exit.DoExit(m.GetTask(200)).Released.Value, last = exit.DoExit(m.GetTask(201)).Released.Value;
        Assert.Equal(first, last);                              // the file keeps its 20000 pages
        Assert.NotNull(m.FindShared("/dev/shm/cache"));
        Assert.Empty(m.FindShared("/dev/shm/cache")!.Mappers);

        first = exit.DoExit(m.GetTask(300)).Released.Value;
        last = exit.DoExit(m.GetTask(301)).Released.Value;
        Assert.Equal(first + 10000, last);                      // the removed file's pages go with its last mapping
        Assert.Null(m.FindShared("/dev/shm/gone"));
    }

    /// <summary>
    /// A prefork server: postmaster 100 (exec'd, 40000 kB anon) maps 400000 kB (100000 pages) of MAP_SHARED|MAP_ANONYMOUS
    /// buffers, inherited by backends 101..104 (forked, never exec'd: 20000 + 1000·i kB anon), the same /dev/zero inode.
    /// </summary>
    private static FakeHostFileSystem PreforkHost()
    {
        var fs = new FakeHostFileSystem();
        fs.File("/proc/meminfo", ProcText.Meminfo(4000000, 0));
        var buffers = Shm("00:01 5000", "/dev/zero (deleted)");
        Process(fs, 100, "postgres", UserFlags, 100, new ProcText.Vm(900000, 40000, 0, 400000, 40, 0), maps: buffers);
        for (int i = 1; i <= 4; i++)
            Process(fs, 100 + i, "postgres", ForkNoExec, 100 + i, new ProcText.Vm(900000, 20000 + 1000 * i, 0, 400000, 40, 0), ppid: 100, maps: buffers);
        return fs;
    }

    [Fact]
    public void Prefork_KillOrder_FreesTheSharedBuffersOnce()
    {
        var m = Read(PreforkHost(), out var warnings);

        Assert.Empty(warnings);
        var buffers = Assert.Single(m.Shared);
        Assert.Equal((SharedMemoryKind.SharedAnon, 100000L), (buffers.Kind, buffers.PageCount));
        Assert.Equal(new[] { 100, 101, 102, 103, 104 }, buffers.MapperPids);

        var steps = OomAudit.KillOrder(m, new OomRequest(), int.MaxValue);

        Assert.Equal(5, steps.Count);
        // Each backend alone maps 100000 + its own pages and scores them; the last mapper's exit frees the buffers.
        var own = m.Tasks.Where(t => t.Mm is not null).ToDictionary(t => t.Pid, t => t.Mm!.OwnRss.Value + t.PageTableBytes / 4096 + t.SwapEntries.Value);
        Assert.All(steps.Take(4), s => Assert.Equal(own[s.Pid], s.Freed.Value));
        Assert.Equal(own[steps[4].Pid] + 100000, steps[4].Freed.Value);
        Assert.Equal(own.Values.Sum() + 100000, steps[4].TotalFreed.Value);
        Assert.True(steps[4].TotalFreed.Value < m.TotalRamPages.Value);
    }

    [Fact]
    public void ForkFamily_SharesOneCopyOnWritePool_ChargedToTheParent_OfTheSmallestSharedFigure()
    {
        var fs = PreforkHost();
        // Anonymous - Pss_Anon is (k-1)/k of an mm's shared anon pages, k = 5 mms in the family.
        foreach (var (pid, anonKb, pssAnonKb) in new[] { (100, 40000, 36000), (101, 21000, 17000), (102, 22000, 17800), (103, 23000, 18800), (104, 24000, 19800) })
            fs.File($"/proc/{pid}/smaps_rollup",
                $"0-1 ---p 00000000 00:00 0 [rollup]\nRss:   {anonKb + 400000} kB\nPss:   {pssAnonKb + 80000} kB\nPss_Anon:   {pssAnonKb} kB\n" +
                $"Pss_File:   0 kB\nPss_Shmem:   80000 kB\nAnonymous:   {anonKb} kB\nSwap:   0 kB\n");
        var m = Read(fs, out var warnings);

        Assert.Empty(warnings);
        var pool = m.FindShared("cow:100")!;
        Assert.Equal(SharedMemoryKind.CowAnon, pool.Kind);
        // 4000 kB (1000 pages) of Anonymous - Pss_Anon in 100 and 101 -> 1250; 4200 kB (1050 pages) in the others -> 1312.
        Assert.Equal(1250, pool.PageCount);
        Assert.Equal(new[] { 100, 101, 102, 103, 104 }, pool.MapperPids);
        Assert.Same(m.GetTask(100).Memcg, pool.Memcg);
        Assert.Equal(10000, m.GetTask(100).AnonPages.Value);    // the counters stay as /proc says
    }
}
