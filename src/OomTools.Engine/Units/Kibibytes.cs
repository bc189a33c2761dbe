using System;

namespace OomTools.Engine.Units;

/// <summary>A size in kB (1024 bytes), the unit of the kernel's <c>%lukB</c> fields and of /proc.</summary>
public readonly struct Kibibytes : IEquatable<Kibibytes>, IComparable<Kibibytes>, IComparable
{
    public long Value { get; }

    public Kibibytes(long value) => Value = value;

    /// <summary>Whole pages in this many kB (the kernel's <c>kB / 4</c> on 4 KiB pages), truncating.</summary>
    public Pages ToPages(int pageSize)
    {
        Pages.CheckPageSize(pageSize);
        return new Pages(Value / (pageSize / 1024));
    }

    public bool Equals(Kibibytes other) => Value == other.Value;
    public override bool Equals(object? obj) => obj is Kibibytes k && Equals(k);
    public override int GetHashCode() => Value.GetHashCode();
    public int CompareTo(Kibibytes other) => Value.CompareTo(other.Value);
    public int CompareTo(object? obj) => obj is Kibibytes k ? CompareTo(k) : throw new ArgumentException("Not a kB count.", nameof(obj));
    public static bool operator ==(Kibibytes a, Kibibytes b) => a.Value == b.Value;
    public static bool operator !=(Kibibytes a, Kibibytes b) => a.Value != b.Value;
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture) + "kB";
}
