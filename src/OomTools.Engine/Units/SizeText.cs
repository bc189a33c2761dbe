using System;
using System.Globalization;

namespace OomTools.Engine.Units;

/// <summary>
/// A size as a person reads it at a terminal: binary units, three significant digits at most ("512 B", "1.8 MiB",
/// "16 GiB"). For views and pictures only: the exact counts stay in pages, kB and bytes, the kernel's own units,
/// and nothing parses this text back.
/// </summary>
public static class SizeText
{
    private static readonly string[] UnitNames = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

    /// <summary>What cgroupfs prints for a limit that is not set (<c>memory.max</c> reads "max").</summary>
    public const string Unlimited = "max";

    /// <summary><paramref name="bytes"/> in the largest binary unit that keeps the number at 1 or more ("1.8 MiB").</summary>
    public static string Format(double bytes)
    {
        string sign = bytes < 0 ? "-" : "";
        double size = Math.Abs(bytes);
        int unit = 0;
        // Step up while the number would print as 1024 or more once rounded ("1024 KiB" reads as "1 MiB").
        while (unit < UnitNames.Length - 1 && Math.Round(size, MidpointRounding.AwayFromZero) >= 1024)
        {
            size /= 1024;
            unit++;
        }
        string number = unit == 0
            ? size.ToString("0", CultureInfo.InvariantCulture)
            : size.ToString(size < 10 ? "0.##" : size < 100 ? "0.#" : "0", CultureInfo.InvariantCulture);
        return sign + number + " " + UnitNames[unit];
    }

    /// <summary>A byte count (cgroupfs values, <c>pgtables_bytes</c>) in binary units.</summary>
    public static string Format(Bytes bytes) => Format((double)bytes.Value);

    /// <summary>A kB count (the kernel's <c>%lukB</c> fields) in binary units.</summary>
    public static string Format(Kibibytes kibibytes) => Format((double)kibibytes.Value * Kibibytes.BytesPerKibibyte);

    /// <summary>
    /// <paramref name="pages"/> of <paramref name="pageSize"/> bytes in binary units; computed in floating point, so a
    /// count near <see cref="long.MaxValue"/> pages does not overflow.
    /// </summary>
    public static string Format(Pages pages, int pageSize)
    {
        Pages.CheckPageSize(pageSize);
        return Format((double)pages.Value * pageSize);
    }

    /// <summary>
    /// A cgroup limit in pages: <see cref="Unlimited"/> ("max") at the page counter's ceiling
    /// (<c>PAGE_COUNTER_MAX</c>, <c>LONG_MAX / PAGE_SIZE</c>, what an unset limit holds), otherwise the size.
    /// </summary>
    public static string FormatLimit(Pages limit, int pageSize)
    {
        Pages.CheckPageSize(pageSize);
        return limit.Value >= long.MaxValue / pageSize ? Unlimited : Format(limit, pageSize);
    }
}
