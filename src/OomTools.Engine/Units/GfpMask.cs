using System;
using System.Globalization;
using System.Text;

namespace OomTools.Engine.Units;

/// <summary>
/// An allocation's <c>gfp_t</c>. <see cref="ToString()"/> gives the kernel's <c>gfp_mask=%#x(%pGg)</c>
/// payload; <see cref="Parse"/> accepts a number (<c>0xcc0</c>, <c>3264</c>) or flag names joined with
/// <c>|</c> (<c>GFP_HIGHUSER_MOVABLE|__GFP_COMP</c>).
/// </summary>
public readonly struct GfpMask : IEquatable<GfpMask>
{
    /// <summary>The raw <c>gfp_t</c> bits, the number the kernel prints as <c>gfp_mask=%#x</c>.</summary>
    public uint Value { get; }

    /// <summary>Wraps raw <c>gfp_t</c> bits.</summary>
    /// <param name="value">The bits, in the seed's (6.x) layout.</param>
    public GfpMask(uint value) => Value = value;

    /// <summary>
    /// The single <c>__GFP_*</c> flags of include/linux/gfp_types.h, one bit each, at the values the seed's kernel
    /// (6.x) gives them. 0x200 is left out: it was <c>__GFP_ATOMIC</c> until 6.4 (see <see cref="GfpNameTable"/>).
    /// </summary>
    public const uint __GFP_DMA = 0x1, __GFP_HIGHMEM = 0x2, __GFP_DMA32 = 0x4, __GFP_MOVABLE = 0x8,
        __GFP_RECLAIMABLE = 0x10, __GFP_HIGH = 0x20, __GFP_IO = 0x40, __GFP_FS = 0x80, __GFP_ZERO = 0x100,
        __GFP_DIRECT_RECLAIM = 0x400, __GFP_KSWAPD_RECLAIM = 0x800, __GFP_WRITE = 0x1000,
        __GFP_NOWARN = 0x2000, __GFP_RETRY_MAYFAIL = 0x4000, __GFP_NOFAIL = 0x8000, __GFP_NORETRY = 0x10000,
        __GFP_MEMALLOC = 0x20000, __GFP_COMP = 0x40000, __GFP_NOMEMALLOC = 0x80000, __GFP_HARDWALL = 0x100000,
        __GFP_THISNODE = 0x200000, __GFP_ACCOUNT = 0x400000, __GFP_ZEROTAGS = 0x800000;

    /// <summary><c>__GFP_RECLAIM</c>: direct and kswapd reclaim both allowed.</summary>
    public const uint __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
    /// <summary><c>GFP_KERNEL</c> (0xcc0): a kernel allocation that may reclaim, do I/O and call into the file system.</summary>
    public const uint GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
    /// <summary><c>GFP_USER</c> (0x100cc0): <see cref="GFP_KERNEL"/> held to the task's cpuset (<c>__GFP_HARDWALL</c>).</summary>
    public const uint GFP_USER = GFP_KERNEL | __GFP_HARDWALL;
    /// <summary><c>GFP_HIGHUSER_MOVABLE</c> (0x100cca): movable user pages, the usual mask of a page fault's allocation.</summary>
    public const uint GFP_HIGHUSER_MOVABLE = GFP_USER | __GFP_HIGHMEM | __GFP_MOVABLE;

    /// <summary>A <see cref="GFP_KERNEL"/> mask.</summary>
    public static GfpMask Kernel => new(GFP_KERNEL);
    /// <summary>A <see cref="GFP_HIGHUSER_MOVABLE"/> mask.</summary>
    public static GfpMask HighUserMovable => new(GFP_HIGHUSER_MOVABLE);

    /// <summary>
    /// True when every bit of <paramref name="flags"/> is set, as the kernel's <c>gfp_mask &amp; __GFP_FS</c> tests
    /// (for a composite such as <see cref="GFP_KERNEL"/>, all of its bits).
    /// </summary>
    public bool Has(uint flags) => (Value & flags) == flags;

    /// <summary>Parses a number or <c>|</c>-joined flag names (any kernel version's names).</summary>
    public static GfpMask Parse(string text)
    {
        if (text is null) throw new ArgumentNullException(nameof(text));
        var t = text.Trim();
        if (TryParseNumber(t, out var n)) return new GfpMask(n);
        uint value = 0;
        foreach (var raw in t.Split('|'))
        {
            var name = raw.Trim();
            if (TryParseNumber(name, out var bits)) { value |= bits; continue; }
            if (!GfpFlagNames.TryGetValue(name, out var flag))
                throw new FormatException($"'{name}' is not a gfp flag name (for example GFP_KERNEL, __GFP_COMP) or a number.");
            value |= flag;
        }
        return new GfpMask(value);
    }

    private static bool TryParseNumber(string s, out uint value)
    {
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return uint.TryParse(s.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        return uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>The kernel's <c>%#x</c>: lower-case hex with a <c>0x</c> prefix, also for zero.</summary>
    public string ToHex() => "0x" + Value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>
    /// The kernel's <c>%pGg</c> (lib/vsprintf.c <c>format_flags</c>): greedy first match in the name table
    /// <paramref name="table"/> (the seed's, 6.12, by default), each entry only when all its bits are present,
    /// the rest as <c>0x..</c>.
    /// </summary>
    public string FlagNames(GfpNameTable table = GfpNameTable.V6_12)
    {
        var sb = new StringBuilder();
        uint flags = Value;
        foreach (var (name, mask) in GfpFlagNames.TableFor(table))
        {
            if (flags == 0) break;
            if ((flags & mask) != mask) continue;
            sb.Append(name);
            flags &= ~mask;
            if (flags != 0) sb.Append('|');
        }
        if (flags != 0) sb.Append("0x").Append(flags.ToString("x", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary><c>0xcc0(GFP_KERNEL)</c>, as in the <c>invoked oom-killer</c> line.</summary>
    public string ToString(GfpNameTable table) => $"{ToHex()}({FlagNames(table)})";
    /// <summary><c>0xcc0(GFP_KERNEL)</c> with the seed's (6.12) names.</summary>
    public override string ToString() => ToString(GfpNameTable.V6_12);

    /// <inheritdoc/>
    public bool Equals(GfpMask other) => Value == other.Value;
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is GfpMask g && Equals(g);
    /// <inheritdoc/>
    public override int GetHashCode() => (int)Value;
    /// <summary>True when both masks have the same bits.</summary>
    public static bool operator ==(GfpMask a, GfpMask b) => a.Value == b.Value;
    /// <summary>True when the masks' bits differ.</summary>
    public static bool operator !=(GfpMask a, GfpMask b) => a.Value != b.Value;
}
