using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>__task_will_free_mem(), task_will_free_mem() and process_shares_mm().</summary>
public class TaskWillFreeMemTests
{
    [Fact]
    public void DoTaskWillFreeMem_GroupExitIsTrue()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10, with: s => { s.GroupExiting = true; s.Threads = 4; });

        Assert.True(OomKiller.DoTaskWillFreeMem(t));
        Assert.True(m.Killer.TaskWillFreeMem(t));
    }

    [Fact]
    public void DoTaskWillFreeMem_CoreDumpBlocksEvenAGroupExit()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10, with: s => { s.GroupExiting = true; s.CoreDumping = true; });

        Assert.False(OomKiller.DoTaskWillFreeMem(t));
        Assert.False(m.Killer.TaskWillFreeMem(t));
    }

    [Fact]
    public void DoTaskWillFreeMem_SingleThreadedExitingIsTrue()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10, with: s => s.Exiting = true);

        Assert.True(OomKiller.DoTaskWillFreeMem(t));
        Assert.True(m.Killer.TaskWillFreeMem(t));
    }

    [Fact]
    public void DoTaskWillFreeMem_MultiThreadedExitingWithoutGroupExitIsFalse()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10, with: s => { s.Exiting = true; s.Threads = 2; });

        Assert.False(OomKiller.DoTaskWillFreeMem(t));
        Assert.False(m.Killer.TaskWillFreeMem(t));
    }

    [Fact]
    public void DoTaskWillFreeMem_LiveTaskIsFalse()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10);

        Assert.False(OomKiller.DoTaskWillFreeMem(t));
        Assert.False(m.Killer.TaskWillFreeMem(t));
    }

    [Fact]
    public void TaskWillFreeMem_TaskWithoutMmIsFalse()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10, with: s => { s.GroupExiting = true; s.Threads = 2; s.DetachedThreads = 2; });

        Assert.False(m.Killer.TaskWillFreeMem(t));
    }

    [Fact]
    public void TaskWillFreeMem_AlreadyReapedMmIsFalse()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10, with: s => { s.GroupExiting = true; s.OomSkip = true; });

        Assert.False(m.Killer.TaskWillFreeMem(t));
    }

    [Fact]
    public void TaskWillFreeMem_MmSharedWithALiveProcessIsFalse()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10, with: s => s.GroupExiting = true);
        m.AddSharer(101, owner: 100);

        Assert.True(OomKiller.DoTaskWillFreeMem(t));
        Assert.False(m.Killer.TaskWillFreeMem(t));
    }

    [Fact]
    public void TaskWillFreeMem_MmSharedOnlyWithDyingProcessesIsTrue()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10, with: s => s.GroupExiting = true);
        m.AddSharer(101, owner: 100, with: s => s.GroupExiting = true);
        m.AddSharer(102, owner: 100, with: s => s.Exiting = true);

        Assert.True(m.Killer.TaskWillFreeMem(t));
    }

    [Fact]
    public void TaskWillFreeMem_SharerThatIsCoreDumpingMakesItFalse()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10, with: s => s.GroupExiting = true);
        m.AddSharer(101, owner: 100, with: s => { s.GroupExiting = true; s.CoreDumping = true; });

        Assert.False(m.Killer.TaskWillFreeMem(t));
    }

    [Fact]
    public void TaskWillFreeMem_SharerThatHasExitedNoLongerCounts()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10, with: s => s.GroupExiting = true);
        var sharer = m.AddSharer(101, owner: 100);
        m.RemoveTask(sharer);

        Assert.True(m.Killer.TaskWillFreeMem(t));
    }

    [Fact]
    public void TaskWillFreeMem_LeaderWithoutMmIsFalseEvenIfAThreadHasIt()
    {
        // task_will_free_mem(task) reads task->mm of the task it is given (here the exited leader)
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10, with: s => { s.GroupExiting = true; s.Threads = 2; s.DetachedThreads = 1; });

        Assert.False(m.Killer.TaskWillFreeMem(t));
    }

    [Fact]
    public void ProcessSharesMm_LooksAtTheFirstThreadWithAnMm()
    {
        var m = TestMachines.Machine();
        var owner = m.Add(100, anon: 10);
        var sharer = m.AddSharer(101, owner: 100, with: s => { s.Threads = 2; s.DetachedThreads = 1; s.ThreadIds = new[] { 900 }; });
        var other = m.Add(102, anon: 10);

        Assert.True(OomKiller.ProcessSharesMm(sharer, owner.Mm!));
        Assert.False(OomKiller.ProcessSharesMm(other, owner.Mm!));
        Assert.Equal(2, owner.Mm!.Users);
        Assert.True(owner.Mm.Has(MmFlags.MultiProcess));
    }
}
