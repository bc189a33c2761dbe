using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>SYSCALL_DEFINE2(process_mrelease, int pidfd, unsigned int flags) and __oom_reap_task_mm().</summary>
public class ProcessMreleaseTests
{
    [Fact]
    public void ProcessMrelease_NonZeroFlagsIsEinvalBeforeAnythingElse()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 500, with: s => s.GroupExiting = true);

        var r = m.Killer.ProcessMrelease(100, flags: 1);
        var gone = m.Killer.ProcessMrelease(999, flags: 1);

        Assert.Equal(Errno.EINVAL, r.Errno);
        Assert.Equal(-22, r.ReturnValue);
        Assert.Equal(Errno.EINVAL, gone.Errno); // flags are checked before the pidfd
        Assert.Equal(500, t.Mm!.AnonPages.Value);
    }

    [Fact]
    public void ProcessMrelease_UnknownProcessIsEsrch()
    {
        var m = TestMachines.Machine();

        var r = m.Killer.ProcessMrelease(999);

        Assert.Equal(Errno.ESRCH, r.Errno);
        Assert.Equal(-3, r.ReturnValue);
    }

    [Fact]
    public void ProcessMrelease_ProcessWhoseThreadsAllDroppedTheMmIsEsrch()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 500, with: s => { s.GroupExiting = true; s.Threads = 2; s.DetachedThreads = 2; });

        Assert.Equal(Errno.ESRCH, m.Killer.ProcessMrelease(100).Errno);
    }

    [Fact]
    public void ProcessMrelease_LiveProcessIsEinvalAndUntouched()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 500, swap: 20);

        var r = m.Killer.ProcessMrelease(100);

        Assert.Equal(Errno.EINVAL, r.Errno);
        Assert.Equal(0, r.PagesFreed.Value);
        Assert.Equal(500, t.Mm!.AnonPages.Value);
        Assert.False(t.Mm.Has(MmFlags.Unstable));
    }

    [Fact]
    public void ProcessMrelease_AlreadyReapedLiveProcessIsZero()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 500, with: s => s.OomSkip = true);

        var r = m.Killer.ProcessMrelease(100);

        Assert.Equal(Errno.Success, r.Errno);
        Assert.Equal(0, r.ReturnValue);
        Assert.Equal(0, r.PagesFreed.Value);
    }

    [Fact]
    public void ProcessMrelease_AlreadyReapedDyingProcessIsZero()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 500, with: s => { s.GroupExiting = true; s.OomSkip = true; });

        var r = m.Killer.ProcessMrelease(100);

        Assert.Equal(Errno.Success, r.Errno);
        Assert.Equal(500, t.Mm!.AnonPages.Value);
    }

    [Fact]
    public void ProcessMrelease_DyingProcessIsReaped()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 500, file: 40, shmem: 7, swap: 20, with: s => s.GroupExiting = true);

        var r = m.Killer.ProcessMrelease(100);

        Assert.Equal(Errno.Success, r.Errno);
        Assert.Equal(520, r.PagesFreed.Value); // anon 500 + swap entries 20
        Assert.Equal(0, t.Mm!.AnonPages.Value);
        Assert.Equal(0, t.Mm.SwapEntries.Value);
        Assert.True(t.Mm.Has(MmFlags.Unstable));
    }

    [Fact]
    public void ProcessMrelease_KilledVictimIsReaped()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 500);
        m.Killer.Invoke(TestMachines.Global());

        var r = m.Killer.ProcessMrelease(100);

        Assert.Equal(Errno.Success, r.Errno);
        Assert.Equal(500, r.PagesFreed.Value);
        Assert.Equal(0, t.Mm!.AnonPages.Value);
    }

    [Fact]
    public void ProcessMrelease_DyingProcessSharingMmWithALiveOneIsEinval()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 500, with: s => s.GroupExiting = true);
        m.AddSharer(101, owner: 100);

        var r = m.Killer.ProcessMrelease(100);

        Assert.Equal(Errno.EINVAL, r.Errno);
        Assert.Equal(500, t.Mm!.AnonPages.Value);
    }

    [Fact]
    public void ProcessMrelease_InterruptedWaitForMmapLockIsEintr()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 500, with: s => s.GroupExiting = true);
        t.Mm!.MmapLockHeldForWrite = true;

        var r = m.Killer.ProcessMrelease(100);

        Assert.Equal(Errno.EINTR, r.Errno);
        Assert.Equal(-4, r.ReturnValue);
        Assert.Equal(500, t.Mm.AnonPages.Value);
    }

    [Fact]
    public void ProcessMrelease_BlockingMmuNotifierIsEagain()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 500, with: s => s.GroupExiting = true);
        t.Mm!.MmuNotifierBlocks = true;

        var r = m.Killer.ProcessMrelease(100);

        Assert.Equal(Errno.EAGAIN, r.Errno);
        Assert.Equal(-11, r.ReturnValue);
        Assert.True(t.Mm.Has(MmFlags.Unstable)); // MMF_UNSTABLE is set before the VMAs are walked
    }

    [Fact]
    public void ProcessMrelease_ExitedLeaderIsReapedThroughAThreadStillHoldingTheMm()
    {
        // p = find_lock_task_mm(task); task_will_free_mem(p): p is the thread with the mm, not the exited leader
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 500, with: s => { s.GroupExiting = true; s.Threads = 2; s.DetachedThreads = 1; });

        var r = m.Killer.ProcessMrelease(100);

        Assert.Equal(Errno.Success, r.Errno);
        Assert.Equal(500, r.PagesFreed.Value);
        Assert.Equal(0, t.Mm!.AnonPages.Value);
    }
}
