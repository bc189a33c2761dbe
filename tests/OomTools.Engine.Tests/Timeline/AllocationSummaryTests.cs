using System.Linq;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Timeline;

/// <summary>
/// AllocationSummary (issue 11): an allocation's OOMs and its result instead of one event per tick.
/// </summary>
public class AllocationSummaryTests
{
    [Fact]
    public void ALeakAtARate_IsOneAllocatedEventForAllItsTicks()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10);
        // HZ 250: ticks of 2 jiffies, 5000 * 2 / 250 = 40 pages each: 40 + 40 + 20.
        var events = m.PageAllocator.Allocate(t, new Pages(100), new Pages(5000));

        var summary = AllocationSummary.Summarize(events, m.Hz);

        var e = Assert.Single(summary);
        Assert.Equal(TimelineEventKind.Allocated, e.Kind);
        Assert.Equal(100, e.Pages);
        Assert.Equal(events[^1].Jiffies, e.Jiffies);
        Assert.Equal(events[^1].MemoryInUsePages, e.MemoryInUsePages);
        Assert.StartsWith("allocated 100 pages in 3 steps from ", e.Text);
        Assert.EndsWith("(100 of 100)", e.Text);
    }

    [Fact]
    public void AnOomOnTheWay_IsKept_ThenTheResult_WithoutTheVictimsExit()
    {
        var m = TestMachines.Machine(ram: 1000);
        m.Add(100, anon: 600, name: "hog");
        var t = m.Add(101, anon: 300, name: "grower");
        var events = m.PageAllocator.Allocate(t, new Pages(200));
        Assert.Contains(events, e => e.Kind == TimelineEventKind.Exit);

        var summary = AllocationSummary.Summarize(events, m.Hz);

        Assert.Equal(new[] { TimelineEventKind.OutOfMemory, TimelineEventKind.Allocated }, summary.Select(e => e.Kind));
        Assert.Equal(100, summary[0].Outcome!.Victim!.Pid);
        Assert.Same(events[^1], summary[^1]);
    }

    [Fact]
    public void NoEvents_NoSummary() => Assert.Empty(AllocationSummary.Summarize(new TimelineEvent[0], 250));
}
