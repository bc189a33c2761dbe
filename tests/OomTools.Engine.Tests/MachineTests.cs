using System;
using System.Linq;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>OomMachine: construction, AddTask validation (nothing changes on error), cgroups, cpusets, Clone.</summary>
public class MachineTests
{
    private static OomMachine WithOneTask(out OomTask t)
    {
        var m = TestMachines.Machine();
        m.CreateCgroup("/a");
        t = m.Add(100, anon: 500, cgroup: "/a");
        return m;
    }

    private static void AssertUnchanged(OomMachine m, OomTask t)
    {
        Assert.Single(m.Tasks);
        Assert.Same(t, m.Tasks[0]);
        Assert.Same(t, m.FindTask(100));
        Assert.Equal(new[] { 100 }, m.GetCgroup("/a").Tasks.Pids());
        Assert.Empty(m.RootMemcg.Tasks);
        Assert.Equal(500, t.Mm!.AnonPages.Value);
        Assert.Equal(1, t.Mm.Users);
        Assert.Equal(MmFlags.None, t.Mm.Flags);
    }

    [Fact]
    public void AddTask_DuplicatePidIsRejectedAndNothingChanges()
    {
        var m = WithOneTask(out var t);

        var ex = Assert.Throws<OomEngineException>(() => m.Add(100, anon: 1, cgroup: "/a"));

        Assert.Equal(OomError.DuplicatePid, ex.Error);
        Assert.Equal(100, ex.Target);
        AssertUnchanged(m, t);
    }

    [Fact]
    public void AddTask_UnknownCgroupIsRejectedAndNothingChanges()
    {
        var m = WithOneTask(out var t);

        var ex = Assert.Throws<OomEngineException>(() => m.Add(101, anon: 1, cgroup: "/nope"));

        Assert.Equal(OomError.CgroupNotFound, ex.Error);
        Assert.Null(m.FindTask(101));
        AssertUnchanged(m, t);
    }

    [Fact]
    public void AddTask_UnknownCpusetIsRejected()
    {
        var m = WithOneTask(out var t);

        var ex = Assert.Throws<OomEngineException>(() => m.Add(101, anon: 1, with: s => s.Cpuset = "/nope"));

        Assert.Equal(OomError.CpusetNotFound, ex.Error);
        AssertUnchanged(m, t);
    }

    [Theory]
    [InlineData("anon")]
    [InlineData("file")]
    [InlineData("shmem")]
    [InlineData("swap")]
    [InlineData("pgtables")]
    [InlineData("totalvm")]
    public void AddTask_NegativeSizeIsRejectedAndNothingChanges(string which)
    {
        var m = WithOneTask(out var t);

        var ex = Assert.Throws<OomEngineException>(() => m.Add(101, cgroup: "/a", with: s =>
        {
            switch (which)
            {
                case "anon": s.AnonPages = new Pages(-1); break;
                case "file": s.FilePages = new Pages(-1); break;
                case "shmem": s.ShmemPages = new Pages(-1); break;
                case "swap": s.SwapEntries = new Pages(-1); break;
                case "pgtables": s.PageTableBytes = -4096; break;
                case "totalvm": s.TotalVm = new Pages(-1); break;
            }
        }));

        Assert.Equal(OomError.NegativeSize, ex.Error);
        Assert.Null(m.FindTask(101));
        AssertUnchanged(m, t);
    }

    [Theory]
    [InlineData("pid0")]
    [InlineData("pidneg")]
    [InlineData("noname")]
    [InlineData("uid")]
    [InlineData("threads")]
    [InlineData("detached")]
    public void AddTask_InvalidIdentityIsRejected(string which)
    {
        var m = WithOneTask(out var t);
        var spec = new OomTaskSpec { Pid = 101, Name = "x", Cgroup = "/a" };
        switch (which)
        {
            case "pid0": spec.Pid = 0; break;
            case "pidneg": spec.Pid = -5; break;
            case "noname": spec.Name = ""; break;
            case "uid": spec.Uid = -1; break;
            case "threads": spec.Threads = 0; break;
            case "detached": spec.Threads = 2; spec.DetachedThreads = 3; break;
        }

        var ex = Assert.Throws<OomEngineException>(() => m.AddTask(spec));

        Assert.Equal(OomError.InvalidArgument, ex.Error);
        AssertUnchanged(m, t);
    }

    [Fact]
    public void AddTask_SharingWithAnUnknownPidIsRejected()
    {
        var m = WithOneTask(out var t);

        var ex = Assert.Throws<OomEngineException>(() => m.AddSharer(101, owner: 999));

        Assert.Equal(OomError.TaskNotFound, ex.Error);
        AssertUnchanged(m, t);
    }

    [Fact]
    public void AddTask_SharerWithItsOwnSizesIsRejectedAndTheMmIsUntouched()
    {
        var m = WithOneTask(out var t);

        var ex = Assert.Throws<OomEngineException>(() => m.AddSharer(101, owner: 100, with: s => s.AnonPages = new Pages(5)));

        Assert.Equal(OomError.InvalidArgument, ex.Error);
        AssertUnchanged(m, t);
    }

    [Fact]
    public void AddTask_SharingWithAProcessWithoutMmIsInvalidState()
    {
        var m = TestMachines.Machine();
        m.Add(100, with: s => { s.Threads = 2; s.DetachedThreads = 2; s.ThreadIds = new[] { 900 }; });

        var ex = Assert.Throws<OomEngineException>(() => m.AddSharer(101, owner: 100));

        Assert.Equal(OomError.InvalidState, ex.Error);
        Assert.Single(m.Tasks);
    }

    [Fact]
    public void AddTask_DefaultsAndDerivedFields()
    {
        var m = TestMachines.Machine();
        var t = m.AddTask(new OomTaskSpec { Name = "systemd-journald", AnonPages = new Pages(10), FilePages = new Pages(5), SwapEntries = new Pages(2) });
        var next = m.AddTask(new OomTaskSpec { Name = "next" });

        Assert.Equal(1, t.Pid);
        Assert.True(t.IsGlobalInit); // pid 1
        Assert.Equal(2, next.Pid);
        Assert.False(next.IsGlobalInit);
        Assert.Equal("systemd-journal", t.Comm); // TASK_COMM_LEN - 1 = 15
        Assert.Equal(17, t.Mm!.TotalVm.Value);  // rss + swap when not given
        Assert.Equal(15, t.Mm.Rss.Value);
        Assert.Same(m.RootMemcg, t.Memcg);
        Assert.Same(m.RootCpuset, t.Cpuset);
        Assert.Equal(1, t.Tgid);
    }

    [Fact]
    public void AddTask_KernelThreadHasNoMmOfItsOwn()
    {
        var m = TestMachines.Machine();
        var k = m.Add(2, anon: 0, with: s => s.KernelThread = true);

        Assert.Null(k.Mm);
        Assert.False(k.IsGlobalInit);
    }

    [Fact]
    public void Constructor_RejectsBadSizes()
    {
        Assert.Equal(OomError.InvalidArgument,
            Assert.Throws<OomEngineException>(() => new OomMachine(new Pages(0), Pages.Zero)).Error);
        Assert.Equal(OomError.InvalidArgument,
            Assert.Throws<OomEngineException>(() => new OomMachine(new Pages(10), new Pages(-1))).Error);
        Assert.Equal(OomError.InvalidArgument,
            Assert.Throws<OomEngineException>(() => new OomMachine(new Pages(10), Pages.Zero, 4096, new[] { new Pages(-1) })).Error);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OomMachine(new Pages(10), Pages.Zero, pageSize: 3000));
    }

    [Fact]
    public void Constructor_DefaultsMatchTheKernel()
    {
        var m = new OomMachine(new Pages(1000), new Pages(10));

        Assert.Equal(4096, m.PageSize);
        Assert.Equal(60, m.VmSwappiness);
        Assert.Equal(0, m.PanicOnOom);
        Assert.False(m.OomKillAllocatingTask);
        Assert.True(m.OomDumpTasks);
        Assert.Equal(2251799813685247, m.PageCounterMax.Value); // LONG_MAX / 4096
        Assert.Equal(NodeMask.Of(0), m.NodesWithMemory);
        Assert.Equal("/", m.RootMemcg.Path);
        Assert.Equal(CgroupVersion.V2, m.CgroupVersion);
    }

    [Fact]
    public void CreateCgroup_ErrorsLeaveTheTreeAlone()
    {
        var m = TestMachines.Machine();
        m.CreateCgroup("/a");

        Assert.Equal(OomError.CgroupExists, Assert.Throws<OomEngineException>(() => m.CreateCgroup("/a")).Error);
        Assert.Equal(OomError.CgroupExists, Assert.Throws<OomEngineException>(() => m.CreateCgroup("/")).Error);
        Assert.Equal(OomError.CgroupNotFound, Assert.Throws<OomEngineException>(() => m.CreateCgroup("/x/y")).Error);
        // a negative limit: NegativeSize is what AddTask uses for negative sizes; InvalidArgument is accepted too
        Assert.Contains(Assert.Throws<OomEngineException>(() => m.CreateCgroup("/b", memoryMax: new Pages(-1))).Error,
            new[] { OomError.NegativeSize, OomError.InvalidArgument });
        Assert.Equal(OomError.InvalidArgument, Assert.Throws<OomEngineException>(() => m.CreateCgroup("/b", swappiness: 201)).Error);

        Assert.Equal(new[] { "/", "/a" }, m.Cgroups.Select(c => c.Path).ToArray());
    }

    [Fact]
    public void CreateCgroup_PathsAreNormalized()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("a/");
        var b = m.CreateCgroup("/a/b");

        Assert.Equal("/a", a.Path);
        Assert.Equal("/a/b", b.Path);
        Assert.Same(b, m.FindCgroup("a/b/"));
        Assert.Same(a, b.Parent);
    }

    [Fact]
    public void CreateCpuset_MemsMustBeNonEmptyMemoryNodes()
    {
        var m = TestMachines.Machine(nodes: new long[] { 600_000, 400_000 });

        Assert.Equal(OomError.InvalidArgument, Assert.Throws<OomEngineException>(() => m.CreateCpuset("/c", NodeMask.Of(2))).Error);
        Assert.Equal(OomError.InvalidArgument, Assert.Throws<OomEngineException>(() => m.CreateCpuset("/c", NodeMask.Empty)).Error);
        Assert.False(m.CpusetsEnabled);
        var c = m.CreateCpuset("/c", NodeMask.Of(1));
        Assert.True(m.CpusetsEnabled);
        Assert.Equal(OomError.CpusetExists, Assert.Throws<OomEngineException>(() => m.CreateCpuset("/c", NodeMask.Of(1))).Error);
        Assert.Equal("c", c.Name);
    }

    [Fact]
    public void RemoveTask_LastUserSetsOomSkipAndEndsTheVictim()
    {
        var m = TestMachines.Machine();
        var owner = m.Add(100, anon: 500);
        var sharer = m.AddSharer(101, owner: 100);
        var mm = owner.Mm!;
        m.Killer.MarkOomVictim(owner);

        m.RemoveTask(owner);
        Assert.False(mm.Has(MmFlags.OomSkip)); // 101 still uses it
        Assert.Equal(0, m.OomVictims);
        Assert.Null(m.FindTask(100));

        m.RemoveTask(sharer);
        Assert.True(mm.Has(MmFlags.OomSkip));
        Assert.Empty(m.Tasks);
        Assert.Equal(OomError.TaskNotFound, Assert.Throws<OomEngineException>(() => m.RemoveTask(sharer)).Error);
    }

    [Fact]
    public void Clone_IsIndependentOfTheOriginal()
    {
        var clock = new ManualClock(TestMachines.BootNs);
        var m = TestMachines.Machine(clock: clock);
        var a = m.CreateCgroup("/a", memoryMax: new Pages(10_000));
        m.Add(100, anon: 5000, cgroup: "/a");
        m.AddSharer(101, owner: 100);
        m.Add(102, anon: 10);
        int logBefore = m.Log.Count;

        var c = m.Clone();
        var o = c.Killer.Invoke(TestMachines.Global());

        // the clone changed
        Assert.Equal(new[] { 101, 100 }, o.AllKilled.Pids());
        Assert.True(c.GetTask(101).GroupExiting);
        Assert.Equal(1, c.OomVictims);
        Assert.True(c.Log.Count > logBefore);
        // the original did not
        Assert.False(m.GetTask(100).GroupExiting);
        Assert.False(m.GetTask(101).GroupExiting);
        Assert.False(m.GetTask(101).MemDie);
        Assert.Equal(0, m.OomVictims);
        Assert.Equal(0, m.OomKillCount);
        Assert.Equal(logBefore, m.Log.Count);
        Assert.Equal(MmFlags.MultiProcess, m.GetTask(100).Mm!.Flags);
        // the mm is still shared inside the clone, but not with the original
        Assert.Same(c.GetTask(100).Mm, c.GetTask(101).Mm);
        Assert.NotSame(m.GetTask(100).Mm, c.GetTask(100).Mm);
        // cgroups, clock, task list
        c.GetCgroup("/a").MemoryMax = new Pages(1);
        Assert.Equal(10_000, a.MemoryMax.Value);
        Assert.NotSame(a, c.GetCgroup("/a"));
        Assert.Same(c.GetCgroup("/a"), c.GetTask(100).Memcg);
        clock.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(TestMachines.BootNs, c.Clock.Nanoseconds);
        c.Add(200, anon: 1);
        Assert.Null(m.FindTask(200));
        Assert.Equal(new[] { 100 }, a.Tasks.Pids());
    }

    [Fact]
    public void Clone_KeepsEachCgroupsArrivalOrder()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a");
        var b = m.CreateCgroup("/b");
        var first = m.Add(100, anon: 1, cgroup: "/a");
        m.Add(101, anon: 1, cgroup: "/b");
        m.Add(102, anon: 1, cgroup: "/b");
        m.MoveTask(first, b);

        var c = m.Clone();

        Assert.Equal(new[] { 101, 102, 100 }, c.GetCgroup("/b").Tasks.Pids());
        Assert.Empty(c.GetCgroup("/a").Tasks);
    }
}
