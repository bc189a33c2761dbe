using OomTools.Engine.Units;

namespace OomTools.Engine.Reports;

/// <summary>
/// One row of a report's task table (dump_tasks), every column the kernel printed; a column the layout of that
/// kernel lacks is null. The typed sizes (<see cref="VirtualSize"/>, <see cref="Resident"/>, …) carry the unit;
/// the properties named after the columns (<c>TotalVm</c>, <c>Rss</c>, <c>PgtablesBytes</c>, …) are the same
/// values as the plain numbers the kernel printed, for views and scripts.
/// </summary>
public sealed class OomReportTask
{
    /// <summary>
    /// The process: its tgid. dump_task prints <c>find_lock_task_mm(p)</c>, a thread that still holds the mm, so when
    /// the group leader has exited (pthread_exit with other threads running) the <c>pid</c> column is that thread's
    /// id (<see cref="Tid"/>) and this is the <c>tgid</c> column. One identity with <see cref="OomReport.SelectedPid"/>
    /// and <see cref="OomReport.KilledPids"/>.
    /// </summary>
    public int Pid { get; internal set; }
    /// <summary>The <c>pid</c> column as printed: the thread <c>find_lock_task_mm</c> found holding the mm.</summary>
    public int Tid { get; internal set; }
    /// <summary>True when the row was printed under a thread other than the leader (<see cref="Tid"/> is not <see cref="Pid"/>): the leader has exited.</summary>
    public bool PrintedByThread => Tid != Pid;
    /// <summary>The <c>uid</c> column.</summary>
    public int Uid { get; internal set; }
    /// <summary>The <c>tgid</c> column.</summary>
    public int Tgid { get; internal set; }

    /// <summary><c>total_vm</c>: <c>mm-&gt;total_vm</c>.</summary>
    public Pages VirtualSize { get; internal set; }
    /// <summary><c>rss</c>: <c>get_mm_rss(mm)</c>.</summary>
    public Pages Resident { get; internal set; }
    /// <summary><c>rss_anon</c>: <c>MM_ANONPAGES</c> (6.8+).</summary>
    public Pages? ResidentAnon { get; internal set; }
    /// <summary><c>rss_file</c>: <c>MM_FILEPAGES</c> (6.8+).</summary>
    public Pages? ResidentFile { get; internal set; }
    /// <summary><c>rss_shmem</c>: <c>MM_SHMEMPAGES</c> (6.8+).</summary>
    public Pages? ResidentShmem { get; internal set; }
    /// <summary><c>pgtables_bytes</c>: <c>mm_pgtables_bytes(mm)</c> (4.15+).</summary>
    public Bytes? PageTables { get; internal set; }
    /// <summary><c>nr_ptes</c>: page-table (PTE) pages, before 4.15.</summary>
    public Pages? PteTables { get; internal set; }
    /// <summary><c>nr_pmds</c>: PMD pages (4.0 – 4.14).</summary>
    public Pages? PmdTables { get; internal set; }
    /// <summary><c>swapents</c>: <c>MM_SWAPENTS</c>.</summary>
    public Pages Swapped { get; internal set; }

    /// <summary>The <c>total_vm</c> column as printed (<see cref="VirtualSize"/>).</summary>
    public long TotalVm => VirtualSize.Value;
    /// <summary>The <c>rss</c> column as printed (<see cref="Resident"/>).</summary>
    public long Rss => Resident.Value;
    /// <summary>The <c>rss_anon</c> column as printed (<see cref="ResidentAnon"/>).</summary>
    public long? RssAnon => ResidentAnon?.Value;
    /// <summary>The <c>rss_file</c> column as printed (<see cref="ResidentFile"/>).</summary>
    public long? RssFile => ResidentFile?.Value;
    /// <summary>The <c>rss_shmem</c> column as printed (<see cref="ResidentShmem"/>).</summary>
    public long? RssShmem => ResidentShmem?.Value;
    /// <summary>The <c>pgtables_bytes</c> column as printed (<see cref="PageTables"/>).</summary>
    public long? PgtablesBytes => PageTables?.Value;
    /// <summary>The <c>nr_ptes</c> column as printed (<see cref="PteTables"/>).</summary>
    public long? NrPtes => PteTables?.Value;
    /// <summary>The <c>nr_pmds</c> column as printed (<see cref="PmdTables"/>).</summary>
    public long? NrPmds => PmdTables?.Value;
    /// <summary>The <c>swapents</c> column as printed (<see cref="Swapped"/>).</summary>
    public long SwapEnts => Swapped.Value;

    /// <summary>The <c>oom_score_adj</c> column.</summary>
    public int OomScoreAdj { get; internal set; }
    /// <summary>The legacy <c>oom_adj</c> column (2.6.x).</summary>
    public int? OomAdj { get; internal set; }
    /// <summary>The <c>cpu</c> column (2.6.x).</summary>
    public int? Cpu { get; internal set; }
    /// <summary>The <c>name</c> column (the task's comm).</summary>
    public string Name { get; internal set; } = "";
    /// <summary>The line this row came from.</summary>
    public int LineNumber { get; internal set; }

    /// <summary>Page-table size from whichever column this kernel printed (<c>nr_ptes</c> + <c>nr_pmds</c> pages before 4.15).</summary>
    public Bytes PageTableSize(int pageSize) =>
        PageTables ?? ((PteTables ?? Pages.Zero) + (PmdTables ?? Pages.Zero)).ToBytes(pageSize);

    /// <summary><c>[pid] name rss=N swap=N adj=N</c>.</summary>
    public override string ToString() => $"[{Pid}] {Name} rss={Rss} swap={SwapEnts} adj={OomScoreAdj}";
}
