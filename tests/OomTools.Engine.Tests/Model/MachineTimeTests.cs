using System.Linq;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>
/// The machine's time operations: stepping by a duration (ms cut to jiffies at its HZ), to the next event or
/// until idle, and an allocation spread over time. HZ=250 from 100 s after boot: jiffy 25000, one jiffy = 4 ms.
/// </summary>
public class MachineTimeTests
{
    private const long Boot = 25000;

    /// <summary>hog killed at jiffy 25000: its exit is due at +5, the reaper's timer at +2*HZ = +500.</summary>
    private static OomMachine KilledHog()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 5000, name: "hog");
        m.Add(101, anon: 10, name: "small");
        m.Killer.Invoke(TestMachines.Global());
        return m;
    }

    [Theory]
    [InlineData(250, 19, 4, 0)]      // 19 ms = 4.75 jiffies: the exit at +5 is not due yet
    [InlineData(250, 20, 5, 1)]
    [InlineData(1000, 5, 5, 1)]      // at HZ=1000, 5 ms is 5 jiffies
    public void StepTime_AdvancesByMillisecondsCutToJiffiesAtTheMachinesHz(int hz, long ms, long jiffies, int events)
    {
        var m = TestMachines.Machine();
        m.Hz = hz;
        long start = m.Jiffies;
        m.Add(100, anon: 5000, name: "hog");
        m.Add(101, anon: 10, name: "small");
        m.Killer.Invoke(TestMachines.Global());

        var happened = m.Timeline.StepBy(new Milliseconds(ms));

        Assert.Equal(events, happened.Count);
        Assert.Equal(start + jiffies, m.Jiffies);
    }

    [Fact]
    public void StepTime_AdvancesByJiffies()
    {
        var m = KilledHog();

        var happened = m.Timeline.StepBy(new Jiffies(5));

        Assert.Equal(Boot + 5, m.Jiffies);
        Assert.Equal(TimelineEventKind.Exit, Assert.Single(happened).Kind);
    }

    [Fact]
    public void StepToNextEvent_RunsUpToTheNextThingDue()
    {
        var m = KilledHog();

        var happened = m.Timeline.StepToNext();

        Assert.Equal(new[] { (Boot + 5, TimelineEventKind.Exit) }, happened.Select(e => (e.Jiffies, e.Kind)));
    }

    [Fact]
    public void StepToNextEvent_NothingPendingIsNothingAndLeavesTheClock()
    {
        var m = TestMachines.Machine();

        Assert.Empty(m.Timeline.StepToNext());
        Assert.Equal(Boot, m.Jiffies);
    }

    [Fact]
    public void StepUntilIdle_RunsEverythingDueInOrder()
    {
        var m = KilledHog();

        var happened = m.Timeline.StepUntilIdle();

        Assert.Equal(new[] { (Boot + 5, TimelineEventKind.Exit), (Boot + 500, TimelineEventKind.ReaperSkipped) },
            happened.Select(e => (e.Jiffies, e.Kind)));
        Assert.Equal((null, 0), m.NextDue());
    }

    [Fact]
    public void StepUntilIdle_StopsAfterMaxSteps()
    {
        var m = KilledHog();

        var happened = m.Timeline.StepUntilIdle(maxSteps: 1);

        Assert.Equal(TimelineEventKind.Exit, Assert.Single(happened).Kind);
        Assert.Equal(1, m.NextDue().Count);
    }

    [Fact]
    public void Allocate_AllAtOnceWithoutARate()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10);

        var e = Assert.Single(m.PageAllocator.Allocate(t, new Pages(300)));

        Assert.Equal("allocated 300 pages (300 of 300)", e.Text);
        Assert.Equal(Boot, m.Jiffies);
    }

    [Theory]
    [InlineData(250, 5000, 40, 3, 4)]      // ticks of 2 jiffies (8 ms): 5000 * 2 / 250 = 40 pages; 40 + 40 + 20
    [InlineData(100, 5000, 50, 2, 1)]      // ticks of 1 jiffy (10 ms): 50 pages
    [InlineData(1000, 5000, 50, 2, 10)]    // ticks of 10 jiffies (10 ms): 50 pages
    [InlineData(250, 10, 1, 100, 198)]     // 10 * 2 / 250 is 0: at least one page a tick
    public void Allocate_AtARateChargesAboutEvery10Ms(int hz, long perSecond, long perTick, int charges, long elapsed)
    {
        var m = TestMachines.Machine();
        m.Hz = hz;
        long start = m.Jiffies;
        var t = m.Add(100, anon: 10);

        var events = m.PageAllocator.Allocate(t, new Pages(100), new Pages(perSecond));

        Assert.Equal(charges, events.Count);
        Assert.All(events, e => Assert.Equal(TimelineEventKind.Allocated, e.Kind));
        Assert.Equal($"allocated {perTick} pages ({perTick} of 100)", events[0].Text);
        Assert.Equal(start + elapsed, m.Jiffies);
    }

    [Fact]
    public void Allocate_RefusesARateThatIsNotPositive()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 10);

        var e = Assert.Throws<OomEngineException>(() => m.PageAllocator.Allocate(t, new Pages(10), Pages.Zero));

        Assert.Equal(OomError.InvalidArgument, e.Error);
    }
}
