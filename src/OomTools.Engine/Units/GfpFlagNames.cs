using System;
using System.Collections.Generic;
using static OomTools.Engine.Units.GfpMask;

namespace OomTools.Engine.Units;

/// <summary>
/// The kernel's <c>gfpflag_names[]</c> tables (include/trace/events/mmflags.h) in the order <c>%pGg</c> walks
/// them. The order changed in 6.15 (single bits in bit order); 6.4 dropped <c>__GFP_ATOMIC</c>.
/// </summary>
internal static class GfpFlagNames
{
    private const uint GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM;
    private const uint GFP_ATOMIC_OLD = GFP_ATOMIC | 0x200;
    private const uint GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
    private const uint GFP_NOIO = __GFP_RECLAIM;
    private const uint GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
    private const uint GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT;
    private const uint GFP_TRANSHUGE_LIGHT = (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM;
    private const uint GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM;

    private static (string, uint)[] Composites(uint atomic, uint nowait) => new (string, uint)[]
    {
        ("GFP_TRANSHUGE", GFP_TRANSHUGE), ("GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT),
        ("GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE), ("GFP_HIGHUSER", GFP_HIGHUSER), ("GFP_USER", GFP_USER),
        ("GFP_KERNEL_ACCOUNT", GFP_KERNEL_ACCOUNT), ("GFP_KERNEL", GFP_KERNEL), ("GFP_NOFS", GFP_NOFS),
        ("GFP_ATOMIC", atomic), ("GFP_NOIO", GFP_NOIO), ("GFP_NOWAIT", nowait), ("GFP_DMA", __GFP_DMA),
    };

    /// <summary>6.4 – 6.14 (GFP_NOWAIT gained __GFP_NOWARN in 6.12).</summary>
    private static (string, uint)[] Table64(uint nowait)
    {
        var list = new List<(string, uint)>(Composites(GFP_ATOMIC, nowait))
        {
            ("__GFP_HIGHMEM", __GFP_HIGHMEM), ("GFP_DMA32", __GFP_DMA32), ("__GFP_HIGH", __GFP_HIGH),
            ("__GFP_IO", __GFP_IO), ("__GFP_FS", __GFP_FS), ("__GFP_NOWARN", __GFP_NOWARN),
            ("__GFP_RETRY_MAYFAIL", __GFP_RETRY_MAYFAIL), ("__GFP_NOFAIL", __GFP_NOFAIL),
            ("__GFP_NORETRY", __GFP_NORETRY), ("__GFP_COMP", __GFP_COMP), ("__GFP_ZERO", __GFP_ZERO),
            ("__GFP_NOMEMALLOC", __GFP_NOMEMALLOC), ("__GFP_MEMALLOC", __GFP_MEMALLOC),
            ("__GFP_HARDWALL", __GFP_HARDWALL), ("__GFP_THISNODE", __GFP_THISNODE),
            ("__GFP_RECLAIMABLE", __GFP_RECLAIMABLE), ("__GFP_MOVABLE", __GFP_MOVABLE),
            ("__GFP_ACCOUNT", __GFP_ACCOUNT), ("__GFP_WRITE", __GFP_WRITE), ("__GFP_RECLAIM", __GFP_RECLAIM),
            ("__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM), ("__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM),
            ("__GFP_ZEROTAGS", __GFP_ZEROTAGS),
        };
        return list.ToArray();
    }

    /// <summary>Before 6.4: __GFP_ATOMIC (0x200) existed and GFP_ATOMIC was 0xa20; no GFP_DMA32 entry.</summary>
    private static readonly (string, uint)[] TableOld = BuildOld();

    private static (string, uint)[] BuildOld()
    {
        var list = new List<(string, uint)>(Composites(GFP_ATOMIC_OLD, __GFP_KSWAPD_RECLAIM));
        foreach (var e in Table64(__GFP_KSWAPD_RECLAIM))
        {
            if (e.Item1 == "GFP_DMA32" || list.Exists(x => x.Item1 == e.Item1)) continue;
            list.Add(e);
            if (e.Item1 == "__GFP_HIGH") list.Add(("__GFP_ATOMIC", 0x200));
        }
        return list.ToArray();
    }

    private static readonly (string, uint)[] Table64To611 = Table64(__GFP_KSWAPD_RECLAIM);
    private static readonly (string, uint)[] Table612To614 = Table64(__GFP_KSWAPD_RECLAIM | __GFP_NOWARN);

    /// <summary>6.15+: composites, then GFP_DMA32 and __GFP_RECLAIM, then every single bit in bit order.</summary>
    private static readonly (string, uint)[] Table615 = BuildTable615();

    private static (string, uint)[] BuildTable615()
    {
        var list = new List<(string, uint)>(Composites(GFP_ATOMIC, __GFP_KSWAPD_RECLAIM | __GFP_NOWARN))
        {
            ("GFP_DMA32", __GFP_DMA32), ("__GFP_RECLAIM", __GFP_RECLAIM),
            ("__GFP_DMA", __GFP_DMA), ("__GFP_HIGHMEM", __GFP_HIGHMEM), ("__GFP_DMA32", __GFP_DMA32),
            ("__GFP_MOVABLE", __GFP_MOVABLE), ("__GFP_RECLAIMABLE", __GFP_RECLAIMABLE), ("__GFP_HIGH", __GFP_HIGH),
            ("__GFP_IO", __GFP_IO), ("__GFP_FS", __GFP_FS), ("__GFP_ZERO", __GFP_ZERO),
            ("__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM), ("__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM),
            ("__GFP_WRITE", __GFP_WRITE), ("__GFP_NOWARN", __GFP_NOWARN), ("__GFP_RETRY_MAYFAIL", __GFP_RETRY_MAYFAIL),
            ("__GFP_NOFAIL", __GFP_NOFAIL), ("__GFP_NORETRY", __GFP_NORETRY), ("__GFP_MEMALLOC", __GFP_MEMALLOC),
            ("__GFP_COMP", __GFP_COMP), ("__GFP_NOMEMALLOC", __GFP_NOMEMALLOC), ("__GFP_HARDWALL", __GFP_HARDWALL),
            ("__GFP_THISNODE", __GFP_THISNODE), ("__GFP_ACCOUNT", __GFP_ACCOUNT), ("__GFP_ZEROTAGS", __GFP_ZEROTAGS),
            // Bit 24 is __GFP_NO_OBJ_EXT on kernels with CONFIG_SLAB_OBJ_EXT (selected by MEMCG: every distro kernel).
            ("__GFP_NO_OBJ_EXT", 0x1000000),
        };
        return list.ToArray();
    }

    private static readonly Dictionary<string, uint> ByName = BuildNames();

    private static Dictionary<string, uint> BuildNames()
    {
        var d = new Dictionary<string, uint>(StringComparer.OrdinalIgnoreCase);
        foreach (var table in new[] { Table612To614, Table615 })
            foreach (var (name, mask) in table) d[name] = mask;
        d["__GFP_ATOMIC"] = 0x200;
        d["__GFP_NO_OBJ_EXT"] = 0x1000000;
        return d;
    }

    public static bool TryGetValue(string name, out uint mask) => ByName.TryGetValue(name, out mask);

    /// <summary>The names <paramref name="table"/> holds, in the order %pGg walks them.</summary>
    public static (string Name, uint Mask)[] TableFor(GfpNameTable table) => table switch
    {
        GfpNameTable.V6_15 => Table615,
        GfpNameTable.V6_12 => Table612To614,
        GfpNameTable.V6_4 => Table64To611,
        _ => TableOld,
    };
}
