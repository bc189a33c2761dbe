namespace OomTools.Engine.Reports;

/// <summary>
/// One row of a report's task table (dump_tasks), every column the kernel printed; a column the layout of that
/// kernel lacks is null. Memory values are in pages, page tables in bytes (or in PTE pages on old kernels).
/// </summary>
public sealed class OomReportTask
{
    public int Pid { get; internal set; }
    public int Uid { get; internal set; }
    public int Tgid { get; internal set; }
    public long TotalVm { get; internal set; }
    public long Rss { get; internal set; }
    public long? RssAnon { get; internal set; }
    public long? RssFile { get; internal set; }
    public long? RssShmem { get; internal set; }
    /// <summary><c>pgtables_bytes</c> (4.15+).</summary>
    public long? PgtablesBytes { get; internal set; }
    /// <summary><c>nr_ptes</c> (page-table pages, before 4.15).</summary>
    public long? NrPtes { get; internal set; }
    /// <summary><c>nr_pmds</c> (4.0 – 4.14).</summary>
    public long? NrPmds { get; internal set; }
    public long SwapEnts { get; internal set; }
    public int OomScoreAdj { get; internal set; }
    /// <summary>The legacy <c>oom_adj</c> column (2.6.x).</summary>
    public int? OomAdj { get; internal set; }
    /// <summary>The <c>cpu</c> column (2.6.x).</summary>
    public int? Cpu { get; internal set; }
    public string Name { get; internal set; } = "";
    /// <summary>The line this row came from.</summary>
    public int LineNumber { get; internal set; }

    /// <summary>Page-table size in bytes, from whichever column this kernel printed.</summary>
    public long PageTableBytes(int pageSize) => PgtablesBytes ?? ((NrPtes ?? 0) + (NrPmds ?? 0)) * pageSize;

    public override string ToString() => $"[{Pid}] {Name} rss={Rss} swap={SwapEnts} adj={OomScoreAdj}";
}
