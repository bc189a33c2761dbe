using System.Globalization;
using OomTools.Engine.Kernels;

namespace OomTools.Engine.Log;

/// <summary>
/// The values of one <c>dump_task()</c> row, taken when the row was printed: the log keeps these and builds the
/// text only when someone reads it (an OOM at a million tasks prints a million rows that are mostly never read,
/// and most of them leave the ring before anyone could).
/// </summary>
public readonly struct DumpTaskRow
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A row of the thread <paramref name="tid"/> that holds the mm, with the mm's counters in pages.</summary>
    public DumpTaskRow(int tid, int uid, int tgid, long totalVm, long rssAnon, long rssFile, long rssShmem,
        long pgtablesBytes, long swapEnts, short oomScoreAdj, string comm)
    {
        Tid = tid; Uid = uid; Tgid = tgid; TotalVm = totalVm; RssAnon = rssAnon; RssFile = rssFile; RssShmem = rssShmem;
        PgtablesBytes = pgtablesBytes; SwapEnts = swapEnts; OomScoreAdj = oomScoreAdj; Comm = comm;
    }

    /// <summary>The pid of the thread that still holds the mm (<c>find_lock_task_mm</c>).</summary>
    public int Tid { get; }
    /// <summary>The task's uid.</summary>
    public int Uid { get; }
    /// <summary>The thread group id.</summary>
    public int Tgid { get; }
    /// <summary><c>mm-&gt;total_vm</c> in pages.</summary>
    public long TotalVm { get; }
    /// <summary><c>MM_ANONPAGES</c>.</summary>
    public long RssAnon { get; }
    /// <summary><c>MM_FILEPAGES</c>.</summary>
    public long RssFile { get; }
    /// <summary><c>MM_SHMEMPAGES</c>.</summary>
    public long RssShmem { get; }
    /// <summary><c>mm_pgtables_bytes()</c>.</summary>
    public long PgtablesBytes { get; }
    /// <summary><c>MM_SWAPENTS</c>.</summary>
    public long SwapEnts { get; }
    /// <summary><c>signal-&gt;oom_score_adj</c>.</summary>
    public short OomScoreAdj { get; }
    /// <summary>The task's comm.</summary>
    public string Comm { get; }

    /// <summary>
    /// The row as a kernel with task-table <paramref name="layout"/> prints it: 6.8+ (<see cref="TaskTableFormat.RssSplit"/>)
    /// adds rss_anon, rss_file and rss_shmem; 4.19 widened the pid to 7 columns; older layouts print as 4.15's.
    /// </summary>
    public string Format(TaskTableFormat layout)
    {
        long rss = RssFile + RssAnon + RssShmem;
        if (layout == TaskTableFormat.RssSplit)
            return string.Format(Inv, "[{0,7}] {1,5} {2,5} {3,8} {4,8} {5,8} {6,8} {7,9} {8,8} {9,8}         {10,5} {11}",
                Tid, Uid, Tgid, TotalVm, rss, RssAnon, RssFile, RssShmem, PgtablesBytes, SwapEnts, OomScoreAdj, Comm);
        var format = layout == TaskTableFormat.PgtablesBytesWidePid
            ? "[{0,7}] {1,5} {2,5} {3,8} {4,8} {5,8} {6,8}         {7,5} {8}"
            : "[{0,5}] {1,5} {2,5} {3,8} {4,8} {5,8} {6,8}         {7,5} {8}";
        return string.Format(Inv, format, Tid, Uid, Tgid, TotalVm, rss, PgtablesBytes, SwapEnts, OomScoreAdj, Comm);
    }
}
