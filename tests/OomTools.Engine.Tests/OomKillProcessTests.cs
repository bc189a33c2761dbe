using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>
/// oom_kill_process(), __oom_kill_process(), oom_kill_memcg_member(), mark_oom_victim(), queue_oom_reaper()
/// and mm/memcontrol.c mem_cgroup_get_oom_group().
/// </summary>
public class OomKillProcessTests
{
    private static int Count(OomOutcome o, string prefix) =>
        o.Log.Count(e => e.Text.StartsWith(prefix, System.StringComparison.Ordinal));

    [Fact]
    public void OomKillProcess_KillsMarksAndQueuesTheReaper()
    {
        var m = TestMachines.Machine();
        var v = m.Add(100, anon: 5000, name: "hog");

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.True(v.GroupExiting);           // SIGKILL
        Assert.True(v.MemDie);                 // TIF_MEMDIE
        Assert.Same(v.Mm, v.OomMm);            // signal->oom_mm
        Assert.True(v.IsOomVictim);
        Assert.Equal(1, m.OomVictims);
        Assert.Equal(1, m.OomKillCount);
        Assert.True(v.Mm!.Has(MmFlags.OomReapQueued));
        Assert.Equal(m.Jiffies + 500, v.ReaperTimerExpires); // OOM_REAPER_DELAY = 2*HZ, HZ = 250
        Assert.Equal(1, Count(o, "Out of memory: Killed process 100 (hog) "));
    }

    [Fact]
    public void MarkOomVictim_ThawsAFrozenVictim()
    {
        var m = TestMachines.Machine();
        var v = m.Add(100, anon: 5000, with: s => s.Frozen = true);

        m.Killer.Invoke(TestMachines.Global());

        Assert.False(v.Frozen);
    }

    [Fact]
    public void MarkOomVictim_IsIdempotent()
    {
        var m = TestMachines.Machine();
        var v = m.Add(100, anon: 5000);

        m.Killer.MarkOomVictim(v);
        m.Killer.MarkOomVictim(v);

        Assert.Equal(1, m.OomVictims);
        m.Killer.ExitOomVictim(v);
        Assert.Equal(0, m.OomVictims);
        Assert.False(v.MemDie);
        Assert.True(v.IsOomVictim); // oom_mm lives as long as the signal struct
    }

    [Fact]
    public void QueueOomReaper_QueuesAnMmOnlyOnce()
    {
        var m = TestMachines.Machine();
        var v = m.Add(100, anon: 5000);
        m.Killer.MarkOomVictim(v);
        m.Killer.QueueOomReaper(v);
        var first = v.ReaperTimerExpires;
        ((Time.ManualClock)m.Clock).Advance(System.TimeSpan.FromSeconds(1));

        m.Killer.QueueOomReaper(v);

        Assert.Equal(first, v.ReaperTimerExpires);
    }

    [Fact]
    public void OomKillProcess_AlreadyDyingVictimIsOnlyMarked()
    {
        var m = TestMachines.Machine();
        var v = m.Add(100, anon: 5000, name: "dying", with: s => s.GroupExiting = true);
        m.Add(101, anon: 10);

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.True(o.Result);
        Assert.Same(v, o.Victim);
        Assert.Empty(o.Killed);
        Assert.Empty(o.Log); // no report, no "Killed process"
        Assert.True(v.MemDie);
        Assert.Same(v.Mm, v.OomMm);
        Assert.NotNull(v.ReaperTimerExpires);
        Assert.Equal(0, m.OomKillCount);
    }

    [Fact]
    public void OomKillProcess_SingleThreadedExitingVictimIsOnlyMarked()
    {
        var m = TestMachines.Machine();
        var v = m.Add(100, anon: 5000, with: s => s.Exiting = true);

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.Empty(o.Killed);
        Assert.Empty(o.Log);
        Assert.True(v.MemDie);
    }

    [Fact]
    public void OomKillProcess_CoreDumpingVictimIsKilledWithAReport()
    {
        var m = TestMachines.Machine();
        var v = m.Add(100, anon: 5000, with: s => { s.GroupExiting = true; s.CoreDumping = true; });

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.Equal(new[] { 100 }, o.Killed.Pids());
        Assert.Equal(1, Count(o, "Out of memory: Killed process 100 "));
    }

    [Fact]
    public void OomKillProcess_KilledLineUsesTheThreadThatStillHoldsTheMm()
    {
        var m = TestMachines.Machine();
        m.Add(500, anon: 5000, name: "mt", with: s => { s.Threads = 3; s.DetachedThreads = 1; });

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.Equal(1, Count(o, "Out of memory: Killed process 501 (mt) "));
        Assert.Contains(o.Texts(), t => t.StartsWith("oom-kill:", System.StringComparison.Ordinal) && t.EndsWith(",task=mt,pid=500,uid=0", System.StringComparison.Ordinal));
    }

    // ---- __oom_kill_process: shared mm ----

    [Fact]
    public void DoOomKillProcess_KillsEveryProcessSharingTheMm()
    {
        var m = TestMachines.Machine();
        var owner = m.Add(100, anon: 5000, name: "owner");
        var sharer = m.AddSharer(101, owner: 100, name: "sharer");
        var other = m.Add(102, anon: 10);

        var o = m.Killer.Invoke(TestMachines.Global());

        // both score 5000: the later one (101) is chosen; 100 shares its mm and is killed too
        Assert.Same(sharer, o.Victim);
        Assert.Equal(new[] { 101, 100 }, o.AllKilled.Pids());
        // The kernel names only the victim in a Killed process line; the sharer dies with no line of its own.
        Assert.Equal(new[] { 101 }, o.Killed.Pids());
        Assert.Equal(new[] { 100 }, o.MmSharersKilled.Pids());
        Assert.True(owner.GroupExiting);
        Assert.False(other.GroupExiting);
        Assert.Equal(1, Count(o, "Out of memory: Killed process "));
        Assert.False(owner.MemDie); // sharers get SIGKILL, not the reserves
        Assert.Equal(1, m.OomVictims);
        Assert.NotNull(sharer.ReaperTimerExpires);
    }

    [Fact]
    public void DoOomKillProcess_GlobalInitSharingTheMmPinsIt()
    {
        var m = TestMachines.Machine();
        var init = m.Add(1, anon: 5000, name: "init");
        var child = m.AddSharer(20, owner: 1, name: "vmchild");

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.Same(child, o.Victim);
        Assert.Equal(new[] { 20 }, o.Killed.Pids());
        Assert.False(init.GroupExiting);
        Assert.Contains("oom killer 20 (vmchild) has mm pinned by 1 (init)", o.Texts());
        Assert.Equal(KernelLogLevel.Info, o.Log.Single(e => e.Text.Contains("has mm pinned by")).Level);
        Assert.True(child.Mm!.Has(MmFlags.OomSkip));
        Assert.False(child.Mm.Has(MmFlags.OomReapQueued));
        Assert.Null(child.ReaperTimerExpires);
    }

    [Fact]
    public void DoOomKillProcess_PinnedVictimIsSkippedByTheNextScan()
    {
        var m = TestMachines.Machine();
        m.Add(1, anon: 5000, name: "init");
        m.AddSharer(20, owner: 1, name: "vmchild");
        m.Add(30, anon: 10);
        m.Killer.Invoke(TestMachines.Global());

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.False(o.Aborted);
        Assert.Equal(30, o.Victim!.Pid);
    }

    [Fact]
    public void DoOomKillProcess_KernelThreadUsingTheMmIsNotSignalled()
    {
        var m = TestMachines.Machine();
        var v = m.Add(100, anon: 5000, name: "victim");
        var kt = m.Add(2, name: "kworker/u8:1", with: s => s.KernelThread = true);
        // kthread_use_mm(): the kernel thread borrows the victim's mm
        kt.Mm = v.Mm;
        v.Mm!.Users += 1;

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.Equal(new[] { 100 }, o.Killed.Pids());
        Assert.False(kt.GroupExiting);
        Assert.NotNull(v.ReaperTimerExpires); // a kthread does not stop the reaper
        Assert.False(v.Mm.Has(MmFlags.OomSkip));
    }

    [Fact]
    public void AddTask_KernelThreadSharingAnMmKeepsThatMm()
    {
        // a kernel thread that has done kthread_use_mm() has task->mm set; the model should keep it
        var m = TestMachines.Machine();
        var v = m.Add(100, anon: 5000);
        var kt = m.AddSharer(2, owner: 100, name: "kworker/u8:1", with: s => s.KernelThread = true);

        Assert.Same(v.Mm, kt.Mm);
    }

    [Fact]
    public void DoOomKillProcess_VictimWithoutMmIsAlreadyExiting()
    {
        var m = TestMachines.Machine();
        var z = m.Add(30, anon: 5000, name: "zombie", with: s => { s.Threads = 2; s.DetachedThreads = 2; });

        m.Killer.DoOomKillProcess(z, "Out of memory");

        var last = m.Log.Entries[m.Log.Count - 1];
        Assert.Equal("Out of memory: OOM victim 30 (zombie) is already exiting. Skip killing the task", last.Text);
        Assert.Equal(KernelLogLevel.Info, last.Level);
        Assert.False(z.GroupExiting);
        Assert.False(z.MemDie);
        Assert.Equal(0, m.OomKillCount);
    }

    // ---- memory.oom.group ----

    [Fact]
    public void OomKillProcess_OomGroupKillsTheWholeCgroupButSparesAdjMinAndInit()
    {
        var m = TestMachines.Machine();
        m.CreateCgroup("/svc", oomGroup: true);
        m.CreateCgroup("/svc/child");
        var a = m.Add(100, anon: 5000, name: "a", cgroup: "/svc");
        var b = m.Add(101, anon: 10, name: "b", cgroup: "/svc");
        var c = m.Add(102, anon: 10, adj: -1000, name: "c", cgroup: "/svc");
        var d = m.Add(103, anon: 10, name: "d", cgroup: "/svc/child");
        var initLike = m.Add(104, anon: 10, name: "cinit", cgroup: "/svc", with: s => s.GlobalInit = true);
        var e = m.Add(105, anon: 10, name: "e");

        var o = m.Killer.Invoke(TestMachines.Global());

        Assert.Same(a, o.Victim);
        // Every member of an oom.group gets a Killed process line of its own.
        Assert.Equal(new[] { 100, 101, 103 }, o.Killed.Pids());
        Assert.False(c.GroupExiting);
        Assert.False(initLike.GroupExiting);
        Assert.False(e.GroupExiting);
        Assert.True(b.GroupExiting && d.GroupExiting);
        Assert.Contains("Tasks in /svc are going to be killed due to memory.oom.group set", o.Texts());
        // oom_kill_memcg_member runs __oom_kill_process on the victim again
        Assert.Equal(2, Count(o, "Out of memory: Killed process 100 (a) "));
        Assert.Equal(1, Count(o, "Out of memory: Killed process 101 (b) "));
        Assert.Equal(1, Count(o, "Out of memory: Killed process 103 (d) "));
        Assert.Equal(1, m.GetCgroup("/svc").OomGroupKillEvents);
        // the group line comes after the victim's own Killed line
        var texts = o.Texts().ToList();
        Assert.True(texts.FindIndex(t => t.StartsWith("Out of memory: Killed process 100 ")) <
                    texts.IndexOf("Tasks in /svc are going to be killed due to memory.oom.group set"));
    }

    [Fact]
    public void MemCgroupGetOomGroup_GlobalOomPicksTheHighestAncestorWithOomGroup()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a", oomGroup: true);
        m.CreateCgroup("/a/b", oomGroup: true);
        m.CreateCgroup("/a/b/c");
        var v = m.Add(100, anon: 10, cgroup: "/a/b/c");

        Assert.Same(a, m.MemCgroups.MemCgroupGetOomGroup(v, null));
    }

    [Fact]
    public void MemCgroupGetOomGroup_StopsAtTheOomDomain()
    {
        var m = TestMachines.Machine();
        m.CreateCgroup("/a", oomGroup: true);
        var b = m.CreateCgroup("/a/b", oomGroup: true);
        m.CreateCgroup("/a/b/c");
        var v = m.Add(100, anon: 10, cgroup: "/a/b/c");

        Assert.Same(b, m.MemCgroups.MemCgroupGetOomGroup(v, b));
    }

    [Fact]
    public void MemCgroupGetOomGroup_NoneWhenOnlyAboveTheOomDomain()
    {
        var m = TestMachines.Machine();
        m.CreateCgroup("/a", oomGroup: true);
        var b = m.CreateCgroup("/a/b");
        var v = m.Add(100, anon: 10, cgroup: "/a/b");

        Assert.Null(m.MemCgroups.MemCgroupGetOomGroup(v, b));
    }

    [Fact]
    public void MemCgroupGetOomGroup_VictimInRootCgroupHasNoGroup()
    {
        var m = TestMachines.Machine();
        m.RootMemcg.OomGroup = true;
        var v = m.Add(100, anon: 10);

        Assert.Null(m.MemCgroups.MemCgroupGetOomGroup(v, null));
    }

    [Fact]
    public void MemCgroupGetOomGroup_VictimOutsideTheDomainIsIgnored()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a", oomGroup: true);
        m.CreateCgroup("/x", oomGroup: true);
        var v = m.Add(100, anon: 10, cgroup: "/x");

        Assert.Null(m.MemCgroups.MemCgroupGetOomGroup(v, a));
    }

    [Fact]
    public void OomKillProcess_MemcgOomGroupUsesTheDomainAndMessage()
    {
        var m = TestMachines.Machine();
        m.CreateCgroup("/a", oomGroup: true);
        var b = m.CreateCgroup("/a/b", memoryMax: new Pages(10000), oomGroup: true);
        m.Add(90, anon: 10, cgroup: "/a");
        m.Add(100, anon: 5000, cgroup: "/a/b");
        m.Add(101, anon: 10, cgroup: "/a/b");

        var o = m.Killer.Invoke(TestMachines.ForMemcg(b));

        Assert.Equal(new[] { 100, 101 }, o.Killed.Pids());
        Assert.Contains("Tasks in /a/b are going to be killed due to memory.oom.group set", o.Texts());
        Assert.Equal(1, Count(o, "Memory cgroup out of memory: Killed process 101 "));
    }

    [Fact]
    public void OomKillProcess_OomGroupMemberWithoutMmIsReportedAsExiting()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a", memoryMax: new Pages(10000), oomGroup: true);
        m.Add(100, anon: 5000, cgroup: "/a");
        var z = m.Add(101, anon: 10, name: "zombie", cgroup: "/a", with: s => { s.Threads = 2; s.DetachedThreads = 2; });

        var o = m.Killer.Invoke(TestMachines.ForMemcg(a));

        Assert.Contains("Memory cgroup out of memory: OOM victim 101 (zombie) is already exiting. Skip killing the task", o.Texts());
        Assert.False(z.GroupExiting);
    }

    [Fact]
    public void OomKillProcess_CgroupV1IgnoresOomGroup()
    {
        var m = TestMachines.Machine(cgroups: CgroupVersion.V1);
        var a = m.CreateCgroup("/a", memoryMax: new Pages(10000));
        a.OomGroup = true; // even if set, v1 has no memory.oom.group
        m.Add(100, anon: 5000, cgroup: "/a");
        m.Add(101, anon: 10, cgroup: "/a");

        var o = m.Killer.Invoke(TestMachines.ForMemcg(a));

        Assert.Null(m.MemCgroups.MemCgroupGetOomGroup(m.GetTask(100), a));
        Assert.Equal(new[] { 100 }, o.Killed.Pids());
        Assert.DoesNotContain(o.Texts(), t => t.StartsWith("Tasks in ", System.StringComparison.Ordinal));
    }

    [Fact]
    public void CreateCgroup_OomGroupOnCgroupV1IsRejected()
    {
        var m = TestMachines.Machine(cgroups: CgroupVersion.V1);

        var ex = Assert.Throws<OomEngineException>(() => m.CreateCgroup("/a", oomGroup: true));

        Assert.Equal(OomError.InvalidArgument, ex.Error);
        Assert.Null(m.FindCgroup("/a"));
    }

    // ---- memory.events ----

    [Fact]
    public void DoOomKillProcess_OomKillEventPropagatesToAncestorsOnV2()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a");
        var b = m.CreateCgroup("/a/b");
        m.Add(100, anon: 5000, cgroup: "/a/b");

        m.Killer.Invoke(TestMachines.Global());

        Assert.Equal(1, b.OomKillEvents);
        Assert.Equal(1, a.OomKillEvents);
    }

    [Fact]
    public void DoOomKillProcess_OomKillEventIsLocalOnV1()
    {
        var m = TestMachines.Machine(cgroups: CgroupVersion.V1);
        var a = m.CreateCgroup("/a");
        var b = m.CreateCgroup("/a/b");
        m.Add(100, anon: 5000, cgroup: "/a/b");

        m.Killer.Invoke(TestMachines.Global());

        Assert.Equal(1, b.OomKillEvents);
        Assert.Equal(0, a.OomKillEvents);
    }

    [Fact]
    public void OomKillProcess_OomGroupKillEventPropagatesToAncestorsOnV2()
    {
        // memcg_memory_event(oom_group, MEMCG_OOM_GROUP_KILL) raises memory.events up to (not incl.) the root
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a");
        var b = m.CreateCgroup("/a/b", oomGroup: true);
        m.Add(100, anon: 5000, cgroup: "/a/b");

        m.Killer.Invoke(TestMachines.Global());

        Assert.Equal(1, b.OomGroupKillEvents);
        Assert.Equal(1, a.OomGroupKillEvents);
    }
}
