using System;
using System.Globalization;

namespace OomTools.Engine.Units;

/// <summary>
/// A duration in milliseconds, the unit people give times in (an exit latency, how long a lock is held, the
/// oom_killer_disable timeout). The machine counts in <see cref="Jiffies"/>; the conversion takes the HZ it uses.
/// </summary>
public readonly struct Milliseconds : IEquatable<Milliseconds>, IComparable<Milliseconds>, IComparable
{
    /// <summary>The raw count.</summary>
    public long Value { get; }

    /// <summary>A duration of <paramref name="value"/> ms.</summary>
    public Milliseconds(long value) => Value = value;

    /// <summary>No time at all.</summary>
    public static Milliseconds Zero => default;

    /// <summary>
    /// Whole jiffies in this duration at <paramref name="hz"/> ticks a second: <c>ms * HZ / 1000</c>, the
    /// remainder dropped (so 3 ms at HZ=250 is 0 jiffies: it happens at the current tick). The kernel's
    /// <c>msecs_to_jiffies()</c> rounds up instead; the simulation has always cut a time to the tick it falls in,
    /// and its tests count on that.
    /// </summary>
    public Jiffies ToJiffies(int hz) => new(checked(Value * CheckHz(hz)) / 1000);

    internal static int CheckHz(int hz) =>
        hz > 0 ? hz : throw new ArgumentOutOfRangeException(nameof(hz), hz, "HZ must be positive.");

    /// <summary>The sum.</summary>
    public static Milliseconds operator +(Milliseconds a, Milliseconds b) => new(a.Value + b.Value);
    /// <summary>The difference (negative when b is the larger).</summary>
    public static Milliseconds operator -(Milliseconds a, Milliseconds b) => new(a.Value - b.Value);
    /// <summary>Same value.</summary>
    public static bool operator ==(Milliseconds a, Milliseconds b) => a.Value == b.Value;
    /// <summary>Different values.</summary>
    public static bool operator !=(Milliseconds a, Milliseconds b) => a.Value != b.Value;
    /// <summary>Less.</summary>
    public static bool operator <(Milliseconds a, Milliseconds b) => a.Value < b.Value;
    /// <summary>More.</summary>
    public static bool operator >(Milliseconds a, Milliseconds b) => a.Value > b.Value;
    /// <summary>Less or the same.</summary>
    public static bool operator <=(Milliseconds a, Milliseconds b) => a.Value <= b.Value;
    /// <summary>More or the same.</summary>
    public static bool operator >=(Milliseconds a, Milliseconds b) => a.Value >= b.Value;

    /// <summary>Same duration.</summary>
    public bool Equals(Milliseconds other) => Value == other.Value;
    /// <summary>Same duration, and a <see cref="Milliseconds"/> at all.</summary>
    public override bool Equals(object? obj) => obj is Milliseconds ms && Equals(ms);
    /// <summary>The count's hash.</summary>
    public override int GetHashCode() => Value.GetHashCode();
    /// <summary>Orders by the duration.</summary>
    public int CompareTo(Milliseconds other) => Value.CompareTo(other.Value);
    /// <summary>Orders by the duration; anything but a <see cref="Milliseconds"/> is an error.</summary>
    public int CompareTo(object? obj) => obj is Milliseconds ms ? CompareTo(ms) : throw new ArgumentException("Not a millisecond count.", nameof(obj));
    /// <summary>The count with its unit, such as <c>200ms</c>.</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture) + "ms";
}
