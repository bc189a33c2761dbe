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

    public Pages(long value) => Value = value;

    public static Pages Zero => default;

    /// <summary>Pages needed to hold <paramref name="bytes"/>, rounded up (a partly used page is a whole page).</summary>
    public static Pages FromBytes(long bytes, int pageSize)
    {
        if (bytes < 0) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "A size cannot be negative.");
        CheckPageSize(pageSize);
        return new Pages(bytes / pageSize + (bytes % pageSize == 0 ? 0 : 1));
    }

    /// <summary>The kernel's <c>K(x)</c>: pages shifted to kB (<c>x &lt;&lt; (PAGE_SHIFT - 10)</c>).</summary>
    public Kibibytes ToKibibytes(int pageSize)
    {
        CheckPageSize(pageSize);
        return new Kibibytes(Value * (pageSize / 1024));
    }

    public long ToBytes(int pageSize) => Value * pageSize;

    internal static void CheckPageSize(int pageSize)
    {
        if (pageSize < 1024 || (pageSize & (pageSize - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "The page size must be a power of two of at least 1024 bytes.");
    }

    /// <summary>An explicit cast from a raw count (PowerShell uses it to bind numbers to page parameters).</summary>
    public static explicit operator Pages(long value) => new(value);

    /// <summary>Parses a whole page count (PowerShell uses it to bind text, e.g. from Import-Csv).</summary>
    public static Pages Parse(string text) =>
        new(long.Parse(text.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture));

    public static Pages operator +(Pages a, Pages b) => new(a.Value + b.Value);
    public static Pages operator -(Pages a, Pages b) => new(a.Value - b.Value);
    public static bool operator ==(Pages a, Pages b) => a.Value == b.Value;
    public static bool operator !=(Pages a, Pages b) => a.Value != b.Value;
    public static bool operator <(Pages a, Pages b) => a.Value < b.Value;
    public static bool operator >(Pages a, Pages b) => a.Value > b.Value;
    public static bool operator <=(Pages a, Pages b) => a.Value <= b.Value;
    public static bool operator >=(Pages a, Pages b) => a.Value >= b.Value;

    public bool Equals(Pages other) => Value == other.Value;
    public override bool Equals(object? obj) => obj is Pages p && Equals(p);
    public override int GetHashCode() => Value.GetHashCode();
    public int CompareTo(Pages other) => Value.CompareTo(other.Value);
    public int CompareTo(object? obj) => obj is Pages p ? CompareTo(p) : throw new ArgumentException("Not a page count.", nameof(obj));
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
