using System;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>Jiffies and Milliseconds: the one place a time in ms becomes ticks of the machine's HZ, and back.</summary>
public class TimeUnitsTests
{
    [Theory]
    [InlineData(200, 250, 50)]
    [InlineData(200, 100, 20)]
    [InlineData(200, 1000, 200)]
    [InlineData(200, 300, 60)]
    [InlineData(3, 250, 0)]       // 0.75 of a 4 ms tick: cut to the tick it falls in
    [InlineData(7, 250, 1)]       // 1.75 ticks -> 1
    [InlineData(10, 300, 3)]      // 3.33 ticks -> 3
    [InlineData(0, 250, 0)]
    public void Milliseconds_ToJiffiesIsMsTimesHzOver1000Truncated(long ms, int hz, long jiffies)
    {
        Assert.Equal(new Jiffies(jiffies), new Milliseconds(ms).ToJiffies(hz));
    }

    [Theory]
    [InlineData(50, 250, 200)]
    [InlineData(1, 250, 4)]
    [InlineData(1, 300, 3)]       // 3.33 ms -> 3
    [InlineData(2, 300, 6)]       // 6.67 ms -> 6
    [InlineData(7, 1000, 7)]
    public void Jiffies_ToMillisecondsIsJiffiesTimes1000OverHzTruncated(long jiffies, int hz, long ms)
    {
        Assert.Equal(new Milliseconds(ms), new Jiffies(jiffies).ToMilliseconds(hz));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-250)]
    public void TimeConversions_RejectAnHzThatIsNotPositive(int hz)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Milliseconds(1000).ToJiffies(hz));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Jiffies(250).ToMilliseconds(hz));
    }

    [Fact]
    public void Jiffies_ArithmeticEqualityAndOrder()
    {
        var a = new Jiffies(25000);
        var b = new Jiffies(500);

        Assert.Equal(new Jiffies(25500), a + b);
        Assert.Equal(new Jiffies(-24500), b - a);
        Assert.True(b < a && a > b && a <= new Jiffies(25000) && a >= b && a != b && a == new Jiffies(25000));
        Assert.Equal(a.GetHashCode(), new Jiffies(25000).GetHashCode());
        Assert.True(a.Equals((object)new Jiffies(25000)));
        Assert.False(a.Equals((object)new Milliseconds(25000)));
        Assert.Equal(1, a.CompareTo(b));
        Assert.Equal(-1, ((IComparable)b).CompareTo(a));
        Assert.Throws<ArgumentException>(() => ((IComparable)a).CompareTo(25000L));
        Assert.Equal(Jiffies.Zero, default(Jiffies));
        Assert.Equal("25000", a.ToString());
    }

    [Fact]
    public void Milliseconds_ArithmeticEqualityAndOrder()
    {
        var a = new Milliseconds(2000);
        var b = new Milliseconds(200);

        Assert.Equal(new Milliseconds(2200), a + b);
        Assert.Equal(new Milliseconds(1800), a - b);
        Assert.True(b < a && a > b && a <= new Milliseconds(2000) && a >= b && a != b && a == new Milliseconds(2000));
        Assert.Equal(a.GetHashCode(), new Milliseconds(2000).GetHashCode());
        Assert.False(a.Equals((object)new Jiffies(2000)));
        Assert.Equal(0, ((IComparable)a).CompareTo(new Milliseconds(2000)));
        Assert.Throws<ArgumentException>(() => ((IComparable)a).CompareTo(2000L));
        Assert.Equal(Milliseconds.Zero, default(Milliseconds));
        Assert.Equal("200ms", b.ToString());
    }

    [Theory]
    [InlineData(2, 250, 500)]     // OOM_REAPER_DELAY at HZ=250
    [InlineData(5, 100, 500)]     // a printk rate limit's 5*HZ at HZ=100
    [InlineData(5, 1000, 5000)]
    [InlineData(0, 300, 0)]
    public void Jiffies_FromSecondsIsSecondsTimesHz(long seconds, int hz, long jiffies)
    {
        Assert.Equal(new Jiffies(jiffies), Jiffies.FromSeconds(seconds, hz));
    }

    [Theory]
    [InlineData(0L, 250, 0L)]
    [InlineData(3_999_999L, 250, 0L)]          // a tick is 4 ms at HZ=250: not one yet
    [InlineData(4_000_000L, 250, 1L)]
    [InlineData(100_000_000_000L, 250, 25000L)] // 100 s
    [InlineData(10_000_000L, 300, 3L)]          // a tick is 3333333 ns at HZ=300 (the remainder dropped)
    public void Jiffies_FromNanosecondsCountsWholeTicksOfTheClock(long ns, int hz, long jiffies)
    {
        Assert.Equal(new Jiffies(jiffies), Jiffies.FromNanoseconds(ns, hz));
    }

    [Theory]
    [InlineData(0L, 250, 0L)]
    [InlineData(1L, 250, 4_000_000L)]
    [InlineData(25000L, 250, 100_000_000_000L)]
    [InlineData(3L, 300, 9_999_999L)]           // three whole-nanosecond ticks of 3333333 ns
    public void Jiffies_ToNanosecondsIsWhereTheClockStandsAfterThatManyTicks(long jiffies, int hz, long ns)
    {
        Assert.Equal(ns, new Jiffies(jiffies).ToNanoseconds(hz));
        Assert.Equal(new Jiffies(jiffies), Jiffies.FromNanoseconds(ns, hz));
    }

    [Theory]
    [InlineData(500, 250, 2.0)]
    [InlineData(1, 250, 0.004)]
    [InlineData(0, 100, 0.0)]
    public void Jiffies_ToSecondsKeepsTheFraction(long jiffies, int hz, double seconds)
    {
        Assert.Equal(seconds, new Jiffies(jiffies).ToSeconds(hz), 12);
    }

    [Fact]
    public void Jiffies_ScaleDivideAndMax()
    {
        var hz = Jiffies.FromSeconds(1, 250);

        Assert.Equal(new Jiffies(500), hz * 2);
        Assert.Equal(new Jiffies(500), 2 * hz);
        Assert.Equal(new Jiffies(25), hz / 10);                             // the reaper's HZ/10 retry
        Assert.Equal(new Jiffies(0), Jiffies.FromSeconds(1, 5) / 10);       // remainder dropped
        Assert.Equal(new Jiffies(7), Jiffies.Max(new Jiffies(7), new Jiffies(3)));
        Assert.Equal(new Jiffies(7), Jiffies.Max(new Jiffies(3), new Jiffies(7)));
        Assert.Equal(Jiffies.Zero, Jiffies.Max(Jiffies.Zero, new Jiffies(-5)));
    }

    [Fact]
    public void Jiffies_ArithmeticIsChecked()
    {
        var max = new Jiffies(long.MaxValue);
        var min = new Jiffies(long.MinValue);

        Assert.Throws<OverflowException>(() => max + new Jiffies(1));
        Assert.Throws<OverflowException>(() => min - new Jiffies(1));
        Assert.Throws<OverflowException>(() => max * 2);
        Assert.Throws<OverflowException>(() => Jiffies.FromSeconds(long.MaxValue / 100, 250));
        Assert.Throws<OverflowException>(() => max.ToNanoseconds(250));
        Assert.Throws<OverflowException>(() => max.ToMilliseconds(250));
        Assert.Throws<OverflowException>(() => new Milliseconds(long.MaxValue).ToJiffies(250));
    }

    [Fact]
    public void Jiffies_NewHelpersRejectAnHzThatIsNotPositive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Jiffies.FromSeconds(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Jiffies.FromNanoseconds(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Jiffies(1).ToNanoseconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Jiffies(1).ToSeconds(0));
    }

    [Fact]
    public void Milliseconds_ToJiffiesAndBackRoundDownToTheTick()
    {
        // 19 ms at HZ=250 is 4 ticks (16 ms): the cut Step-OomTime -Milliseconds documents.
        var j = new Milliseconds(19).ToJiffies(250);

        Assert.Equal(new Jiffies(4), j);
        Assert.Equal(new Milliseconds(16), j.ToMilliseconds(250));
    }
}
