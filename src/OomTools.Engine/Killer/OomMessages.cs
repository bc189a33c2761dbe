using OomTools.Engine.Kernels;
using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

/// <summary>The exact text of the OOM killer's printk formats.</summary>
public static class OomMessages
{
    /// <summary>The line dump_tasks prints before the task table since 4.19 (<c>pr_info</c>).</summary>
    public const string TasksStateHeader = "Tasks state (memory values in pages):";

    /// <summary>dump_tasks' column header (6.8+ with the rss split).</summary>
    public const string TaskTableHeader =
        "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name";

    /// <summary>The dump_tasks header of 4.19 – 6.7 (before the rss split).</summary>
    public const string TaskTableHeader419 =
        "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name";

    /// <summary>The dump_tasks header of 4.15 – 4.18 (no "Tasks state" line before it).</summary>
    public const string TaskTableHeader415 =
        "[ pid ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name";

    /// <summary>
    /// The header a kernel with task-table <paramref name="format"/> prints. Layouts older than 4.15 are printed
    /// as 4.15's: the model keeps no nr_ptes or cpu columns.
    /// </summary>
    public static string TaskTableHeaderFor(TaskTableFormat format) => format switch
    {
        TaskTableFormat.RssSplit => TaskTableHeader,
        TaskTableFormat.PgtablesBytesWidePid => TaskTableHeader419,
        _ => TaskTableHeader415,
    };

    /// <summary>Whether <paramref name="format"/> is preceded by <see cref="TasksStateHeader"/> (4.19 and later).</summary>
    public static bool PrintsTasksState(TaskTableFormat format) => format >= TaskTableFormat.PgtablesBytesWidePid;

    /// <summary>
    /// dump_task's row in <paramref name="layout"/>: 6.8+ adds rss_anon, rss_file and rss_shmem; 4.19 widened
    /// the pid to 7 columns.
    /// </summary>
    public static string TaskRow(int tid, OomTask task, TaskTableFormat layout) => TaskRowValues(tid, task).Format(layout);

    /// <summary>
    /// dump_task's row: <c>[%7d] %5d %5d %8lu %8lu %8lu %8lu %9lu %8ld %8lu         %5hd %s</c>, printed with the
    /// pid of the thread that still holds the mm.
    /// </summary>
    public static string TaskRow(int tid, OomTask task) => TaskRow(tid, task, TaskTableFormat.RssSplit);

    /// <summary>The values dump_task prints for <paramref name="task"/> through thread <paramref name="tid"/>, as they are now.</summary>
    public static DumpTaskRow TaskRowValues(int tid, OomTask task)
    {
        var mm = task.Mm!;
        return new DumpTaskRow(tid, task.Uid, task.Tgid, mm.totalVm, mm.anon, mm.file, mm.shmem, mm.pgtablesBytes,
            mm.swapEnts, task.oomScoreAdj, task.Comm);
    }

    /// <summary>
    /// __oom_kill_process' <c>%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB,
    /// shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%hd</c>, written to <paramref name="log"/> with the
    /// victim's sizes as they are now (<see cref="KernelLog.KilledProcess"/>: kept as values, formatted when read).
    /// </summary>
    public static void KilledProcess(KernelLog log, string message, int tid, OomTask victim, int pageSize)
    {
        var mm = victim.Mm!;
        log.KilledProcess(message, tid, victim.Comm, mm.TotalVm.ToKibibytes(pageSize).Value, mm.AnonPages.ToKibibytes(pageSize).Value,
            mm.FilePages.ToKibibytes(pageSize).Value, mm.ShmemPages.ToKibibytes(pageSize).Value, victim.Uid,
            new Bytes(mm.PageTableBytes).ToKibibytes().Value, victim.oomScoreAdj);
    }
}
