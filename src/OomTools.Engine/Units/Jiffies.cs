using System;
using System.Globalization;

namespace OomTools.Engine.Units;

/// <summary>
/// A count of timer ticks, the kernel's <c>jiffies</c>: both a point on the machine's clock and a duration
/// (<c>OOM_REAPER_DELAY</c>, a rate limit's interval). How long one lasts depends on CONFIG_HZ, so every
/// conversion to or from wall time takes the HZ it uses.
/// </summary>
public readonly struct Jiffies : IEquatable<Jiffies>, IComparable<Jiffies>, IComparable
{
    /// <summary>The raw count (an <c>unsigned long</c> in the kernel; signed here so a difference can be negative).</summary>
    public long Value { get; }

    /// <summary>A count of <paramref name="value"/> ticks.</summary>
    public Jiffies(long value) => Value = value;

    /// <summary>No time at all, or the jiffy the clock starts from.</summary>
    public static Jiffies Zero => default;

    /// <summary>Whole milliseconds in this many ticks at <paramref name="hz"/> a second, the remainder dropped.</summary>
    public Milliseconds ToMilliseconds(int hz) => new(checked(Value * 1000) / Milliseconds.CheckHz(hz));

    /// <summary>
    /// <paramref name="seconds"/> seconds at <paramref name="hz"/> ticks a second: the kernel's <c>N * HZ</c>
    /// (<c>OOM_REAPER_DELAY</c> is 2*HZ, a printk rate limit's interval 5*HZ).
    /// </summary>
    public static Jiffies FromSeconds(long seconds, int hz) => new(checked(seconds * Milliseconds.CheckHz(hz)));

    /// <summary>
    /// The whole jiffies <paramref name="nanoseconds"/> of a clock at <paramref name="hz"/> have counted: the clock
    /// divided by one tick's length in whole nanoseconds (what the machine's <c>jiffies</c> reads).
    /// </summary>
    public static Jiffies FromNanoseconds(long nanoseconds, int hz) => new(nanoseconds / NanosecondsPerTick(hz));

    /// <summary>Where a clock at <paramref name="hz"/> stands after this many ticks, in nanoseconds (the inverse of <see cref="FromNanoseconds"/>).</summary>
    public long ToNanoseconds(int hz) => checked(Value * NanosecondsPerTick(hz));

    /// <summary>This many ticks at <paramref name="hz"/> in seconds, with the fraction (what a timeline shows).</summary>
    public double ToSeconds(int hz) => (double)Value / Milliseconds.CheckHz(hz);

    private static long NanosecondsPerTick(int hz) => 1_000_000_000L / Milliseconds.CheckHz(hz);

    /// <summary>The later of two points (the longer of two spans): <c>max()</c>.</summary>
    public static Jiffies Max(Jiffies a, Jiffies b) => a >= b ? a : b;

    /// <summary>The sum; an overflow throws.</summary>
    public static Jiffies operator +(Jiffies a, Jiffies b) => new(checked(a.Value + b.Value));
    /// <summary>The difference (negative when b is the larger); an overflow throws.</summary>
    public static Jiffies operator -(Jiffies a, Jiffies b) => new(checked(a.Value - b.Value));
    /// <summary>A span <paramref name="n"/> times as long (<c>2*HZ</c>); an overflow throws.</summary>
    public static Jiffies operator *(Jiffies a, long n) => new(checked(a.Value * n));
    /// <summary>A span <paramref name="n"/> times as long; an overflow throws.</summary>
    public static Jiffies operator *(long n, Jiffies a) => a * n;
    /// <summary>A part of a span, the remainder dropped (<c>HZ/10</c>).</summary>
    public static Jiffies operator /(Jiffies a, long n) => new(a.Value / n);
    /// <summary>Same value.</summary>
    public static bool operator ==(Jiffies a, Jiffies b) => a.Value == b.Value;
    /// <summary>Different values.</summary>
    public static bool operator !=(Jiffies a, Jiffies b) => a.Value != b.Value;
    /// <summary>Less.</summary>
    public static bool operator <(Jiffies a, Jiffies b) => a.Value < b.Value;
    /// <summary>More.</summary>
    public static bool operator >(Jiffies a, Jiffies b) => a.Value > b.Value;
    /// <summary>Less or the same.</summary>
    public static bool operator <=(Jiffies a, Jiffies b) => a.Value <= b.Value;
    /// <summary>More or the same.</summary>
    public static bool operator >=(Jiffies a, Jiffies b) => a.Value >= b.Value;

    /// <summary>Same count of ticks.</summary>
    public bool Equals(Jiffies other) => Value == other.Value;
    /// <summary>Same count of ticks, and a <see cref="Jiffies"/> at all.</summary>
    public override bool Equals(object? obj) => obj is Jiffies j && Equals(j);
    /// <summary>The count's hash.</summary>
    public override int GetHashCode() => Value.GetHashCode();
    /// <summary>Orders by the count.</summary>
    public int CompareTo(Jiffies other) => Value.CompareTo(other.Value);
    /// <summary>Orders by the count; anything but a <see cref="Jiffies"/> is an error.</summary>
    public int CompareTo(object? obj) => obj is Jiffies j ? CompareTo(j) : throw new ArgumentException("Not a jiffies count.", nameof(obj));
    /// <summary>The count, as the kernel prints <c>jiffies</c> (a bare number).</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
