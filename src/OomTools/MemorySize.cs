using System.Globalization;
using OomTools.Engine.Units;

namespace OomTools;

/// <summary>
/// A size given to a cmdlet: bytes (PowerShell's <c>512MB</c> is a number of bytes) or text with a binary unit
/// (<c>'512M'</c>, <c>'6GiB'</c>, <c>'4k'</c>; see <see cref="SizeParser"/>). It remembers whether a unit was written,
/// so that a bare number too small for its parameter can be warned about (<see cref="SizeAttribute"/>).
/// </summary>
public readonly struct MemorySize
{
    private readonly string? text;

    /// <summary>A size of <paramref name="bytes"/> bytes, given as a bare number or with a unit.</summary>
    public MemorySize(long bytes, bool hasUnit = false, string? text = null)
    {
        Bytes = bytes;
        HasUnit = hasUnit;
        this.text = text;
    }

    /// <summary>The size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>A unit was written ("6M", "6B"), so the number means what it says: no plausibility warning.</summary>
    public bool HasUnit { get; }

    /// <summary>Reads text such as "512M" or "4096" (PowerShell binds Import-Csv cells through it); a FormatException names it.</summary>
    public static MemorySize Parse(string text)
    {
        if (!SizeParser.TryParse(text, out var size, out var unit)) SizeParser.Parse(text);
        return new MemorySize(size.Value, unit, text.Trim());
    }

    /// <summary>A bare number of bytes (PowerShell uses it to bind numbers).</summary>
    public static explicit operator MemorySize(long bytes) => new(bytes);

    /// <summary>The size in bytes (PowerShell's [ValidateRange] compares through it).</summary>
    public static explicit operator long(MemorySize size) => size.Bytes;

    /// <summary>The text as given ("512M"), or the number of bytes.</summary>
    public override string ToString() => text ?? Bytes.ToString(CultureInfo.InvariantCulture);
}
