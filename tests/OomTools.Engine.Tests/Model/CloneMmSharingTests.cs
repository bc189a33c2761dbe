using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>
/// OomMachine.Clone keeps one copy of each mm, however it is reached: through the task->mm of every process sharing
/// it (CLONE_VM), or through a victim's signal->oom_mm after the victim let go of its task->mm. An mm of one process
/// is copied without a look-up; these are the cases that need one.
/// </summary>
public class CloneMmSharingTests
{
    [Fact]
    public void ProcessesSharingAnMmShareItsCopy()
    {
        var m = TestMachines.Machine(ram: 1_000_000);
        m.Add(1, anon: 100, name: "init");
        m.Add(30, anon: 200_000, name: "batch");
        m.AddSharer(31, 30, name: "batch-helper");

        var copy = m.Clone();

        Assert.Same(copy.GetTask(30).Mm, copy.GetTask(31).Mm);
        Assert.NotSame(m.GetTask(30).Mm, copy.GetTask(30).Mm);
        Assert.Equal(2, copy.GetTask(30).Mm!.processes);
    }

    [Fact]
    public void AVictimsOomMmIsTheSameCopyAsTheSurvivingSharersMm()
    {
        var m = TestMachines.Machine(ram: 1_000_000);
        m.Add(1, anon: 100, name: "init");
        var victim = m.Add(30, anon: 200_000, name: "batch");
        var sharer = m.AddSharer(31, 30, name: "batch-helper");
        // The victim was marked (signal->oom_mm) and has dropped its task->mm: the sharer is the mm's one process.
        victim.OomMm = victim.Mm;
        victim.Mm = null;
        Assert.Equal(1, sharer.Mm!.processes);

        var copy = m.Clone();

        Assert.Same(copy.GetTask(31).Mm, copy.GetTask(30).OomMm);
        Assert.NotSame(sharer.Mm, copy.GetTask(31).Mm);
    }

    [Fact]
    public void AnMmOfOneProcessIsCopiedAndCountedOnce()
    {
        var m = TestMachines.Machine(ram: 1_000_000);
        m.Add(1, anon: 100, name: "init");
        m.Add(20, anon: 100_000, file: 20_000, name: "web");

        var copy = m.Clone();

        var mm = copy.GetTask(20).Mm!;
        Assert.NotSame(m.GetTask(20).Mm, mm);
        Assert.Equal(1, mm.processes);
        Assert.Equal(100_000, mm.AnonPages.Value);
    }
}
