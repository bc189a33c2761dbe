using System.Globalization;
using OomTools.Engine.Units;

namespace OomTools.Engine.Log;

public sealed partial class KernelLog
{
    private static readonly KernelLogFormat FreeSwapFormat = KernelLogFormat.Of("Free swap  = {n0}kB");
    private static readonly KernelLogFormat TotalSwapFormat = KernelLogFormat.Of("Total swap = {n0}kB");
    private static readonly KernelLogFormat PagesRamFormat = KernelLogFormat.Of("{n0} pages RAM");
    private static readonly KernelLogFormat PagesReservedFormat = KernelLogFormat.Of("{n0} pages reserved");

    /// <summary>
    /// <c>dump_header()</c>'s <c>pr_warn("%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd")</c>,
    /// at <see cref="KernelLogLevel.Warning"/>: the gfp flags are named from <paramref name="names"/> when read.
    /// </summary>
    public void InvokedOomKiller(string comm, GfpMask gfpMask, GfpNameTable names, int order, int oomScoreAdj) =>
        Write(KernelLogLevel.Warning, InvokedFormat.Instance, new KernelLogArgs(comm, null, gfpMask.Value, (long)names, order, oomScoreAdj));

    /// <summary><c>show_swap_cache_info()</c>'s <c>"Free swap  = %ldkB"</c> (<see cref="KernelLogLevel.Warning"/>).</summary>
    public void FreeSwap(long kb) => Write(KernelLogLevel.Warning, FreeSwapFormat, new KernelLogArgs(null, null, kb));

    /// <summary><c>show_swap_cache_info()</c>'s <c>"Total swap = %lukB"</c> (<see cref="KernelLogLevel.Warning"/>).</summary>
    public void TotalSwap(long kb) => Write(KernelLogLevel.Warning, TotalSwapFormat, new KernelLogArgs(null, null, kb));

    /// <summary><c>__show_mem()</c>'s <c>"%lu pages RAM"</c> (<see cref="KernelLogLevel.Warning"/>).</summary>
    public void PagesRam(long pages) => Write(KernelLogLevel.Warning, PagesRamFormat, new KernelLogArgs(null, null, pages));

    /// <summary><c>__show_mem()</c>'s <c>"%lu pages reserved"</c> (<see cref="KernelLogLevel.Warning"/>).</summary>
    public void PagesReserved(long pages) => Write(KernelLogLevel.Warning, PagesReservedFormat, new KernelLogArgs(null, null, pages));

    /// <summary>The <c>invoked oom-killer</c> line: comm, gfp mask and its name table, order, oom_score_adj.</summary>
    private sealed class InvokedFormat : KernelLogFormat
    {
        internal static readonly InvokedFormat Instance = new();

        internal override string Format(in KernelLogArgs a) =>
            string.Format(CultureInfo.InvariantCulture, "{0} invoked oom-killer: gfp_mask={1}, order={2}, oom_score_adj={3}",
                a.S0, new GfpMask((uint)a.N0).ToString((GfpNameTable)a.N1), a.N2, a.N3);
    }
}
