using System;
using System.Globalization;

namespace OomTools.Engine.Units;

/// <summary>
/// A size as a person types it at a terminal: a number of bytes ("4096"), or a number with a unit ("512M",
/// "512MiB", "6GiB", "4k", "1.5G", "1.8 MiB"). Every multiple is a power of 1024, as the kernel's own parser reads
/// its command line (<c>memparse</c>: K, M, G, T, P, E) and as free(1) and cgroupfs writes (<c>memory.max</c>
/// "512M") mean them: "MB" is 2^20 bytes here too, like PowerShell's own <c>512MB</c>. Case is ignored; "B" or
/// no unit is bytes. A fraction of a byte is rounded up, as a partly used page is a whole page.
/// </summary>
public static class SizeParser
{
    // Each unit's names; the index is its power of 1024.
    private static readonly string[][] UnitNames =
    {
        new[] { "", "b", "byte", "bytes" },
        new[] { "k", "kb", "kib", "ki" },
        new[] { "m", "mb", "mib", "mi" },
        new[] { "g", "gb", "gib", "gi" },
        new[] { "t", "tb", "tib", "ti" },
        new[] { "p", "pb", "pib", "pi" },
        new[] { "e", "eb", "eib", "ei" },
    };

    /// <summary>
    /// Reads <paramref name="text"/> as a size; false when it is not one (no number, an unknown unit, more bytes than
    /// a long holds). <paramref name="hasUnit"/> tells whether a unit was written ("6M", "6B") or only a number ("6").
    /// A leading minus is kept, for the caller to refuse with its own words.
    /// </summary>
    public static bool TryParse(string? text, out Bytes size, out bool hasUnit)
    {
        size = Bytes.Zero;
        hasUnit = false;
        if (text is null) return false;
        var t = text.Trim();
        int end = 0;
        while (end < t.Length && (char.IsDigit(t[end]) || t[end] is '.' or '-' or '+')) end++;
        var number = t.Substring(0, end);
        var unit = t.Substring(end).Trim().ToLowerInvariant();
        if (!decimal.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return false;
        int power = Array.FindIndex(UnitNames, names => Array.IndexOf(names, unit) >= 0);
        if (power < 0) return false;
        hasUnit = unit.Length > 0;
        try
        {
            decimal bytes = value;
            for (int i = 0; i < power; i++) bytes *= 1024;
            bytes = decimal.Ceiling(bytes);
            if (bytes > long.MaxValue || bytes < long.MinValue) return false;
            size = new Bytes((long)bytes);
            return true;
        }
        catch (OverflowException) { return false; }
    }

    /// <summary>
    /// <see cref="TryParse"/>, or a <see cref="FormatException"/> naming <paramref name="text"/> and the forms a size
    /// takes.
    /// </summary>
    public static Bytes Parse(string? text) => TryParse(text, out var size, out _) ? size
        : throw new FormatException($"'{text}' is not a size: give bytes (4096, or PowerShell's 512MB) or a number with a unit (512M, 512MiB, 6GiB, 4k, 1.5G; binary multiples of 1024).");
}
