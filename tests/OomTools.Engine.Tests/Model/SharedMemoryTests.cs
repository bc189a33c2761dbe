using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Exit;
using OomTools.Engine.Killer;
using OomTools.Engine.Memcontrol;
using OomTools.Engine.Model;
using OomTools.Engine.PageAlloc;
using OomTools.Engine.Proc;
using OomTools.Engine.Timeline;
using OomTools.Engine.Units;
using Xunit;
using static OomTools.Engine.Tests.TestMachines;

namespace OomTools.Engine.Tests.Model;

/// <summary>
/// Pages have owners: copy-on-write pools after fork, MAP_SHARED anon regions and shmem files (linked or not), each
/// charged to one cgroup, freed by exit, the oom_reaper and process_mrelease only when no survivor maps them.
/// </summary>
public class SharedMemoryTests
{
    private static SharedMapping Cow(int with, long? pages = null) =>
        new() { Kind = SharedMemoryKind.CowAnon, With = with, Pages = pages is { } p ? new Pages(p) : null };

    private static SharedMapping Region(string name, long? pages = null) =>
        new() { Kind = SharedMemoryKind.SharedAnon, Name = name, Pages = pages is { } p ? new Pages(p) : null };

    private static SharedMapping File(string name, long? pages = null, bool? linked = null) =>
        new() { Kind = SharedMemoryKind.Shmem, Name = name, Pages = pages is { } p ? new Pages(p) : null, Linked = linked };

    /// <summary>A parent in / forks a child into /oom; they still share 1000 anonymous pages copy-on-write.</summary>
    private static OomMachine ForkedIntoCgroup()
    {
        var m = Machine();
        m.CreateCgroup("/oom", memoryMax: new Pages(10_000));
        m.Add(100, anon: 1200, name: "parent");
        m.Add(200, anon: 1500, name: "child", cgroup: "/oom", with: s => s.Shared.Add(Cow(100, 1000)));
        return m;
    }

    [Fact]
    public void Fork_CowPoolIsChargedToTheParentAndCountedInBothRss()
    {
        var m = ForkedIntoCgroup();
        var pool = Assert.Single(m.Shared);

        Assert.Equal("cow:100", pool.Name);
        Assert.Equal(SharedMemoryKind.CowAnon, pool.Kind);
        Assert.Equal(1000, pool.PageCount);
        Assert.Equal("/", pool.Memcg.Path);
        Assert.Equal(new[] { 100, 200 }, pool.MapperPids.ToArray());
        // get_mm_rss still counts every page each maps: oom_badness is unchanged.
        Assert.Equal(1200, m.GetTask(100).Rss.Value);
        Assert.Equal(1500, m.GetTask(200).Rss.Value);
        Assert.Equal(200, m.GetTask(100).Mm!.PrivateAnonPages.Value);
        Assert.Equal(500, m.GetTask(200).Mm!.PrivateAnonPages.Value);
        // memory.current of /oom: the child's own 500 pages; the pool is charged to the root.
        Assert.Equal(500, MemCgroups.MemoryCurrent(m.GetCgroup("/oom")).Value);
        Assert.Equal(1700, MemCgroups.MemoryCurrent(m.RootMemcg).Value);
        // Memory in use: 200 + 500 own pages and the pool once.
        Assert.Equal(1_000_000 - 1700, m.PageAllocator.FreePages().Value);
    }

    [Fact]
    public void MemcgKill_FreesOnlyTheChildsPrivatePages_FromTheMeasuredCounter()
    {
        var m = ForkedIntoCgroup();
        var oom = m.GetCgroup("/oom");
        oom.Usage = new Pages(500);
        m.UsedPages = new Pages(1700);

        var result = m.Killer.OutOfMemory(ForMemcg(oom));
        Assert.Equal(new[] { 200 }, result.Killed.Pids());
        var events = m.Timeline.StepUntilIdle();

        var exit = Assert.Single(events, e => e.Kind == TimelineEventKind.Exit);
        Assert.Equal(500, exit.Pages);
        Assert.Equal(0, oom.Usage!.Value.Value);
        Assert.Equal(1200, m.UsedPages!.Value.Value);
        // The parent still maps the pool: it stays, charged to the root.
        var pool = Assert.Single(m.Shared);
        Assert.Equal(new[] { 100 }, pool.MapperPids.ToArray());
        Assert.Equal(1200, m.GetTask(100).Rss.Value);
    }

    [Fact]
    public void LastMapperExit_FreesTheCowPoolAndUnchargesItFromTheParentsCgroup()
    {
        var m = Machine();
        m.CreateCgroup("/parent");
        m.CreateCgroup("/oom");
        m.Add(100, anon: 1200, name: "parent", cgroup: "/parent");
        m.Add(200, anon: 1500, name: "child", cgroup: "/oom", with: s => s.Shared.Add(Cow(100, 1000)));
        m.GetCgroup("/parent").Usage = new Pages(1200);
        m.GetCgroup("/oom").Usage = new Pages(500);

        var parentExit = m.Exit.DoExit(m.GetTask(100));
        Assert.Equal(200, parentExit.Freed.Value);
        Assert.Equal(1000, parentExit.SharedKept.Value);
        Assert.Equal(1000, m.GetCgroup("/parent").Usage!.Value.Value);

        var childExit = m.Exit.DoExit(m.GetTask(200));
        Assert.Equal(500, childExit.PrivateAnon.Value);
        Assert.Equal("cow:100", Assert.Single(childExit.SharedFreed).Name);
        Assert.Equal(1500, childExit.Freed.Value);
        // The pool was the parent's: uncharged from /parent, not from the child's /oom.
        Assert.Equal(0, m.GetCgroup("/parent").Usage!.Value.Value);
        Assert.Equal(0, m.GetCgroup("/oom").Usage!.Value.Value);
        Assert.Empty(m.Shared);
    }

    [Fact]
    public void Siblings_JoinTheParentsPool()
    {
        var m = ForkedIntoCgroup();
        m.Add(201, name: "sibling", cgroup: "/oom", with: s => s.Shared.Add(Cow(100)));

        var pool = Assert.Single(m.Shared);
        Assert.Equal(new[] { 100, 200, 201 }, pool.MapperPids.ToArray());
        // A counter left out is the pool's pages: a fresh fork maps the parent's pages and nothing else.
        Assert.Equal(1000, m.GetTask(201).AnonPages.Value);
        Assert.Equal(500, MemCgroups.MemoryCurrent(m.GetCgroup("/oom")).Value);
    }

    [Fact]
    public void Reaper_UnmapsCowPagesButFreesOnlyWhatNoSurvivorMaps()
    {
        var m = ForkedIntoCgroup();
        m.GetCgroup("/oom").Usage = new Pages(500);
        var child = m.GetTask(200);
        var mm = child.Mm!;

        Assert.True(m.Killer.DoOomReapTaskMm(mm));

        // The victim's counters drop to 0, as "oom_reaper: reaped process ... anon-rss:0kB" prints.
        Assert.Equal(0, mm.AnonPages.Value);
        Assert.Equal(0, mm.SharedAnonPages.Value);
        Assert.Equal(new[] { 100 }, Assert.Single(m.Shared).MapperPids.ToArray());
        Assert.Equal(0, m.GetCgroup("/oom").Usage!.Value.Value);
        // Its exit afterwards has nothing left to free.
        Assert.Equal(0, m.Exit.DoExit(child).Freed.Value);
    }

    [Fact]
    public void ProcessMrelease_CountsOnlyThePagesItFreed()
    {
        var m = ForkedIntoCgroup();
        var child = m.GetTask(200);
        child.GroupExiting = true;

        var r = m.Killer.ProcessMrelease(200);

        Assert.Equal(Errno.Success, r.Errno);
        Assert.Equal(500, r.PagesFreed.Value);
    }

    [Fact]
    public void ReaperOfTheLastMapper_FreesThePoolAndUnchargesItsCgroup()
    {
        var m = ForkedIntoCgroup();
        m.RootMemcg.Usage = new Pages(1700);
        m.RemoveTask(m.GetTask(100));
        Assert.Equal(1500, m.RootMemcg.Usage!.Value.Value);

        var child = m.GetTask(200);
        child.GroupExiting = true;
        var r = m.Killer.ProcessMrelease(200);

        Assert.Equal(1500, r.PagesFreed.Value);
        Assert.Empty(m.Shared);
        Assert.Equal(0, m.RootMemcg.Usage!.Value.Value);
    }

    [Fact]
    public void SharedAnon_ReaperLeavesIt_ExitFreesItWithTheLastMapping()
    {
        var m = Machine();
        m.Add(100, anon: 100, name: "postmaster", with: s => s.Shared.Add(Region("buffers", 5000)));
        m.Add(101, anon: 300, name: "backend", with: s => s.Shared.Add(Region("buffers")));
        Assert.Equal(5000, m.GetTask(101).ShmemPages.Value);
        Assert.Equal(5400, MemCgroups.MemoryCurrent(m.RootMemcg).Value);

        var backend = m.GetTask(101);
        Assert.True(m.Killer.DoOomReapTaskMm(backend.Mm!));
        // VM_SHARED: left for exit.
        Assert.Equal(5000, backend.ShmemPages.Value);
        Assert.Equal(0, backend.AnonPages.Value);

        var first = m.Exit.DoExit(backend);
        Assert.Equal(0, first.Freed.Value);
        Assert.Equal(5000, first.SharedKept.Value);
        var last = m.Exit.DoExit(m.GetTask(100));
        Assert.Equal(5100, last.Freed.Value);
        Assert.Empty(m.Shared);
    }

    [Fact]
    public void LinkedShmemFile_OutlivesEveryMapping_UnlinkedGoesWithTheLast()
    {
        var m = Machine();
        m.Add(100, anon: 100, name: "writer", with: s => s.Shared.Add(File("/dev/shm/linked", 3000)));
        m.Add(101, anon: 100, name: "remover", with: s => s.Shared.Add(File("/dev/shm/gone", 2000, linked: false)));

        var kept = m.Exit.DoExit(m.GetTask(100));
        Assert.Equal(100, kept.Freed.Value);
        Assert.Equal(3000, kept.SharedKept.Value);
        var file = m.FindShared("/dev/shm/linked")!;
        Assert.True(file.Linked);
        Assert.Empty(file.Mappers);
        // Still in use and charged: tmpfs keeps the pages.
        Assert.Equal(3000 + 2100, MemCgroups.MemoryCurrent(m.RootMemcg).Value);

        var gone = m.Exit.DoExit(m.GetTask(101));
        Assert.Equal(2100, gone.Freed.Value);
        Assert.Same(file, Assert.Single(m.Shared));
        Assert.Equal(3000, MemCgroups.MemoryCurrent(m.RootMemcg).Value);
    }

    [Fact]
    public void UpdateTask_MapsAndUnlinks_RaisingOnlyACounterThatFallsShort()
    {
        var m = Machine();
        m.Add(100, anon: 100, name: "a", with: s => s.Shared.Add(File("/dev/shm/f", 3000)));
        // A report row already counts the file in its shmem: the counter is left as it is.
        m.Add(101, anon: 50, shmem: 3500, name: "b");
        m.UpdateTask(m.GetTask(101), new OomTaskUpdate { Shared = { File("/dev/shm/f") } });
        Assert.Equal(3500, m.GetTask(101).ShmemPages.Value);
        Assert.Equal(3000, m.GetTask(101).Mm!.SharedShmemPages.Value);
        // A process with no shmem that maps it faults its pages in.
        m.Add(102, anon: 10, name: "c");
        m.UpdateTask(m.GetTask(102), new OomTaskUpdate { Shared = { File("/dev/shm/f", linked: false) } });
        Assert.Equal(3000, m.GetTask(102).ShmemPages.Value);
        Assert.False(m.FindShared("/dev/shm/f")!.Linked);
    }

    [Fact]
    public void Refusals_LeaveTheMachineAsItWas()
    {
        var m = ForkedIntoCgroup();
        OomError Refused(System.Action a) => Assert.Throws<OomEngineException>(a).Error;

        // Joining with another size, a counter that cannot hold the shared pages, a new region without a size.
        Assert.Equal(OomError.InvalidArgument, Refused(() => m.Add(300, anon: 2000, with: s => s.Shared.Add(Cow(100, 999)))));
        Assert.Equal(OomError.InvalidArgument, Refused(() => m.Add(300, anon: 10, with: s => s.Shared.Add(Cow(100)))));
        Assert.Equal(OomError.InvalidArgument, Refused(() => m.Add(300, with: s => s.Shared.Add(Region("r")))));
        Assert.Equal(OomError.TaskNotFound, Refused(() => m.Add(300, with: s => s.Shared.Add(Cow(999)))));
        // A region is not a file; a removed file cannot be linked again.
        m.Add(301, with: s => s.Shared.Add(Region("r", 10)));
        Assert.Equal(OomError.InvalidArgument, Refused(() => m.Add(302, with: s => s.Shared.Add(File("r")))));
        // Lowering a counter below the shared pages it holds.
        Assert.Equal(OomError.InvalidArgument, Refused(() => m.UpdateTask(m.GetTask(200), new OomTaskUpdate { AnonPages = new Pages(999) })));
        Assert.Equal(OomError.InvalidArgument, Refused(() => m.Add(303, with: s => { s.SharesMemoryWith = 200; s.Shared.Add(Region("r")); })));

        Assert.Null(m.FindTask(300));
        Assert.Equal(2, m.Shared.Count);
        Assert.Equal(1500, m.GetTask(200).AnonPages.Value);
    }

    [Fact]
    public void Clone_CopiesTheObjectsApart()
    {
        var m = ForkedIntoCgroup();
        var copy = m.Clone();

        copy.RemoveTask(copy.GetTask(100));
        copy.RemoveTask(copy.GetTask(200));

        Assert.Empty(copy.Shared);
        var pool = Assert.Single(m.Shared);
        Assert.Equal(new[] { 100, 200 }, pool.MapperPids.ToArray());
        Assert.Same(m.GetTask(200).Mm, pool.Mappers[1]);
        Assert.Equal(1000, m.GetTask(200).Mm!.SharedAnonPages.Value);
    }

    [Fact]
    public void ChargeStorm_KillsFewerWhenTheVictimsShareTheirPagesWithAParentOutside()
    {
        // A v1 memcg of 3000 pages with 2000 charged (as its report's "memory: usage" says), though its rows add up to
        // 4000: two holders forked from a parent outside share 1000 pages each with it, charged to the parent.
        OomMachine Build(bool shared)
        {
            var m = Machine(cgroups: CgroupVersion.V1);
            m.CreateCgroup("/oom", memoryMax: new Pages(3000));
            m.Add(100, anon: 2000, name: "parent");
            for (int pid = 200; pid <= 201; pid++)
                m.Add(pid, anon: 1500, adj: 500, name: "holder", cgroup: "/oom", with: s => { if (shared) s.Shared.Add(Cow(100, 1000)); });
            m.Add(300, anon: 1000, name: "grower", cgroup: "/oom");
            m.GetCgroup("/oom").Usage = new Pages(2000);
            return m;
        }
        int[] Storm(OomMachine m, long pages)
        {
            var outcomes = new List<OomOutcome>();
            m.PageAllocator.Charge(m.GetTask(300), new Pages(pages), outcomes);
            return outcomes.SelectMany(o => o.Killed).Select(t => t.Pid).ToArray();
        }

        // 1800 pages: 1000 fit; killing a holder gives back only its own 500, so a second one dies for the last 300.
        Assert.Equal(new[] { 201, 200 }, Storm(Build(shared: true), 1800));
        // Counted as its own, the first holder's 1500 pages would have made room for the rest.
        Assert.Equal(new[] { 201 }, Storm(Build(shared: false), 1800));
    }
}
