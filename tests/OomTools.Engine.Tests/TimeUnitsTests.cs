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
}
