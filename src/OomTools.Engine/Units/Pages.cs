using System;

namespace OomTools.Engine.Units;

/// <summary>
/// A count of memory pages, the unit every counter of the OOM killer is kept in
/// (<c>get_mm_rss</c>, <c>totalpages</c>, <c>MM_SWAPENTS</c>). A distinct type so that a page count
/// never meets a byte or kB count by accident; conversions name the page size they use.
/// </summary>
public readonly struct Pages : IEquatable<Pages>, IComparable<Pages>, IComparable
{
    /// <summary>The raw count. Signed like the kernel's <c>long</c> arithmetic in oom_badness.</summary>
    public long Value { get; }

    /// <summary>A count of <paramref name="value"/> pages.</summary>
    public Pages(long value) => Value = value;

    /// <summary>No pages.</summary>
    public static Pages Zero => default;

    /// <summary>Pages needed to hold <paramref name="bytes"/>, rounded up (a partly used page is a whole page).</summary>
    public static Pages FromBytes(long bytes, int pageSize)
    {
        if (bytes < 0) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "A size cannot be negative.");
        return new Bytes(bytes).ToPagesRoundedUp(pageSize);
    }

    /// <summary>
    /// The kernel's <c>K(x)</c>: pages shifted to kB (<c>x &lt;&lt; (PAGE_SHIFT - 10)</c>); throws
    /// <see cref="OverflowException"/> when the result does not fit a long.
    /// </summary>
    public Kibibytes ToKibibytes(int pageSize) => new(checked(Value * KibibytesPerPage(pageSize)));

    /// <summary>The size in bytes (<c>x &lt;&lt; PAGE_SHIFT</c>); throws <see cref="OverflowException"/> when it does not fit a long.</summary>
    public Bytes ToBytes(int pageSize)
    {
        CheckPageSize(pageSize);
        return new Bytes(checked(Value * pageSize));
    }

    /// <summary>kB in one page (<c>1 &lt;&lt; (PAGE_SHIFT - 10)</c>), once the page size is checked.</summary>
    internal static long KibibytesPerPage(int pageSize)
    {
        CheckPageSize(pageSize);
        return pageSize / Kibibytes.BytesPerKibibyte;
    }

    /// <summary>A page size is a power of two of at least 1 kB (4 KiB, 16 KiB and 64 KiB in practice).</summary>
    internal static void CheckPageSize(int pageSize)
    {
        if (pageSize < Kibibytes.BytesPerKibibyte || (pageSize & (pageSize - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "The page size must be a power of two of at least 1024 bytes.");
    }

    /// <summary>An explicit cast from a raw count (PowerShell uses it to bind numbers to page parameters).</summary>
    public static explicit operator Pages(long value) => new(value);

    /// <summary>Parses a whole page count (PowerShell uses it to bind text, e.g. from Import-Csv).</summary>
    public static Pages Parse(string text) =>
        new(long.Parse(text.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The smaller of two counts (the kernel's <c>min()</c>).</summary>
    public static Pages Min(Pages a, Pages b) => a.Value <= b.Value ? a : b;

    /// <summary>The sum; throws <see cref="OverflowException"/> past <see cref="long.MaxValue"/>.</summary>
    public static Pages operator +(Pages a, Pages b) => new(checked(a.Value + b.Value));
    /// <summary>The difference; throws <see cref="OverflowException"/> past the range of a long.</summary>
    public static Pages operator -(Pages a, Pages b) => new(checked(a.Value - b.Value));
    /// <summary>Equal counts.</summary>
    public static bool operator ==(Pages a, Pages b) => a.Value == b.Value;
    /// <summary>Different counts.</summary>
    public static bool operator !=(Pages a, Pages b) => a.Value != b.Value;
    /// <summary>Fewer.</summary>
    public static bool operator <(Pages a, Pages b) => a.Value < b.Value;
    /// <summary>More.</summary>
    public static bool operator >(Pages a, Pages b) => a.Value > b.Value;
    /// <summary>Fewer or equal.</summary>
    public static bool operator <=(Pages a, Pages b) => a.Value <= b.Value;
    /// <summary>More or equal.</summary>
    public static bool operator >=(Pages a, Pages b) => a.Value >= b.Value;

    /// <summary>Equal counts.</summary>
    public bool Equals(Pages other) => Value == other.Value;
    /// <summary>Equal to another <see cref="Pages"/> of the same count (never to a plain number).</summary>
    public override bool Equals(object? obj) => obj is Pages p && Equals(p);
    /// <summary>The hash of the raw count.</summary>
    public override int GetHashCode() => Value.GetHashCode();
    /// <summary>Orders by count.</summary>
    public int CompareTo(Pages other) => Value.CompareTo(other.Value);
    /// <summary>Orders by count; another type throws.</summary>
    public int CompareTo(object? obj) => obj is Pages p ? CompareTo(p) : throw new ArgumentException("Not a page count.", nameof(obj));
    /// <summary>The bare number, as the kernel prints page counts.</summary>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
