using System;
using System.Globalization;

namespace OomTools.Engine.Units;

/// <summary>
/// A size in kB (1024 bytes), the unit of the kernel's <c>%lukB</c> fields (Mem-Info, the memcg usage and limit
/// lines, <c>Killed process</c>) and of <c>/proc/meminfo</c> and <c>/proc/PID/status</c>.
/// </summary>
public readonly struct Kibibytes : IEquatable<Kibibytes>, IComparable<Kibibytes>, IComparable
{
    /// <summary>Bytes in a kB. The one place the number is written.</summary>
    public const int BytesPerKibibyte = 1024;

    /// <summary>The raw count.</summary>
    public long Value { get; }

    /// <summary>A size of <paramref name="value"/> kB.</summary>
    public Kibibytes(long value) => Value = value;

    /// <summary>No kB.</summary>
    public static Kibibytes Zero => default;

    /// <summary>Whole pages in this many kB (the kernel's <c>kB / 4</c> on 4 KiB pages), truncating.</summary>
    public Pages ToPages(int pageSize) => new(Value / Pages.KibibytesPerPage(pageSize));

    /// <summary>The size in bytes; throws <see cref="OverflowException"/> when it does not fit a long.</summary>
    public Bytes ToBytes() => new(checked(Value * BytesPerKibibyte));

    /// <summary>An explicit cast from a raw count (no implicit mixing with plain numbers).</summary>
    public static explicit operator Kibibytes(long value) => new(value);

    /// <summary>The sum; throws <see cref="OverflowException"/> past <see cref="long.MaxValue"/>.</summary>
    public static Kibibytes operator +(Kibibytes a, Kibibytes b) => new(checked(a.Value + b.Value));
    /// <summary>The difference; throws <see cref="OverflowException"/> past the range of a long.</summary>
    public static Kibibytes operator -(Kibibytes a, Kibibytes b) => new(checked(a.Value - b.Value));
    /// <summary>Equal sizes.</summary>
    public static bool operator ==(Kibibytes a, Kibibytes b) => a.Value == b.Value;
    /// <summary>Different sizes.</summary>
    public static bool operator !=(Kibibytes a, Kibibytes b) => a.Value != b.Value;
    /// <summary>Smaller.</summary>
    public static bool operator <(Kibibytes a, Kibibytes b) => a.Value < b.Value;
    /// <summary>Larger.</summary>
    public static bool operator >(Kibibytes a, Kibibytes b) => a.Value > b.Value;
    /// <summary>Smaller or equal.</summary>
    public static bool operator <=(Kibibytes a, Kibibytes b) => a.Value <= b.Value;
    /// <summary>Larger or equal.</summary>
    public static bool operator >=(Kibibytes a, Kibibytes b) => a.Value >= b.Value;

    /// <summary>Equal sizes.</summary>
    public bool Equals(Kibibytes other) => Value == other.Value;
    /// <summary>Equal to another <see cref="Kibibytes"/> of the same size (never to a plain number).</summary>
    public override bool Equals(object? obj) => obj is Kibibytes k && Equals(k);
    /// <summary>The hash of the raw count.</summary>
    public override int GetHashCode() => Value.GetHashCode();
    /// <summary>Orders by size.</summary>
    public int CompareTo(Kibibytes other) => Value.CompareTo(other.Value);
    /// <summary>Orders by size; another type throws.</summary>
    public int CompareTo(object? obj) => obj is Kibibytes k ? CompareTo(k) : throw new ArgumentException("Not a kB count.", nameof(obj));
    /// <summary>The kernel's <c>%lukB</c>: the number followed by <c>kB</c>.</summary>
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture) + "kB";
}
