using System;
using System.Globalization;

namespace OomTools.Engine.Units;

/// <summary>
/// A size in bytes: what cgroupfs shows (<c>memory.current</c>, <c>memory.max</c>, v1 <c>*_in_bytes</c>) and what
/// the kernel keeps page tables in (<c>mm_pgtables_bytes</c>). A distinct type so that a byte count never meets a
/// page or kB count unconverted; a conversion to pages names the page size it uses.
/// </summary>
public readonly struct Bytes : IEquatable<Bytes>, IComparable<Bytes>, IComparable
{
    /// <summary>The raw count.</summary>
    public long Value { get; }

    /// <summary>A size of <paramref name="value"/> bytes.</summary>
    public Bytes(long value) => Value = value;

    /// <summary>No bytes.</summary>
    public static Bytes Zero => default;

    /// <summary>
    /// Whole pages in this many bytes, truncating: the kernel's <c>bytes / PAGE_SIZE</c> (page_counter_memparse
    /// for a cgroup limit, <c>mm_pgtables_bytes(mm) / PAGE_SIZE</c> in oom_badness).
    /// </summary>
    public Pages ToPages(int pageSize)
    {
        Pages.CheckPageSize(pageSize);
        return new Pages(Value / pageSize);
    }

    /// <summary>Pages needed to hold this many bytes, rounded up (a partly used page is a whole page).</summary>
    public Pages ToPagesRoundedUp(int pageSize)
    {
        if (Value < 0) throw new ArgumentOutOfRangeException(nameof(Value), Value, "A size cannot be negative.");
        Pages.CheckPageSize(pageSize);
        return new Pages(Value / pageSize + (Value % pageSize == 0 ? 0 : 1));
    }

    /// <summary>
    /// Whole kB, truncating: the kernel's <c>bytes &gt;&gt; 10</c> (the <c>pgtables:%lukB</c> of the
    /// <c>Killed process</c> line, __oom_kill_process).
    /// </summary>
    public Kibibytes ToKibibytes() => new(Value >> 10);

    /// <summary>An explicit cast from a raw count (no implicit mixing with plain numbers).</summary>
    public static explicit operator Bytes(long value) => new(value);

    /// <summary>The sum; throws <see cref="OverflowException"/> past <see cref="long.MaxValue"/>.</summary>
    public static Bytes operator +(Bytes a, Bytes b) => new(checked(a.Value + b.Value));
    /// <summary>The difference; throws <see cref="OverflowException"/> past the range of a long.</summary>
    public static Bytes operator -(Bytes a, Bytes b) => new(checked(a.Value - b.Value));
    /// <summary>Equal sizes.</summary>
    public static bool operator ==(Bytes a, Bytes b) => a.Value == b.Value;
    /// <summary>Different sizes.</summary>
    public static bool operator !=(Bytes a, Bytes b) => a.Value != b.Value;
    /// <summary>Smaller.</summary>
    public static bool operator <(Bytes a, Bytes b) => a.Value < b.Value;
    /// <summary>Larger.</summary>
    public static bool operator >(Bytes a, Bytes b) => a.Value > b.Value;
    /// <summary>Smaller or equal.</summary>
    public static bool operator <=(Bytes a, Bytes b) => a.Value <= b.Value;
    /// <summary>Larger or equal.</summary>
    public static bool operator >=(Bytes a, Bytes b) => a.Value >= b.Value;

    /// <summary>Equal sizes.</summary>
    public bool Equals(Bytes other) => Value == other.Value;
    /// <summary>Equal to another <see cref="Bytes"/> of the same size (never to a plain number).</summary>
    public override bool Equals(object? obj) => obj is Bytes b && Equals(b);
    /// <summary>The hash of the raw count.</summary>
    public override int GetHashCode() => Value.GetHashCode();
    /// <summary>Orders by size.</summary>
    public int CompareTo(Bytes other) => Value.CompareTo(other.Value);
    /// <summary>Orders by size; another type throws.</summary>
    public int CompareTo(object? obj) => obj is Bytes b ? CompareTo(b) : throw new ArgumentException("Not a byte count.", nameof(obj));
    /// <summary>The bare number, as the kernel prints <c>pgtables_bytes</c>.</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
