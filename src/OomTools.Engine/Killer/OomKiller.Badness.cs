using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary><c>oom_unkillable_task()</c>: global init and kernel threads are never candidates.</summary>
    public static bool OomUnkillableTask(OomTask p) => p.IsGlobalInit || p.IsKernelThread;

    /// <summary>
    /// <c>find_lock_task_mm()</c>: the first thread of <paramref name="p"/> (leader first) that still has an
    /// mm; its tid, or -1 when every thread has dropped it.
    /// </summary>
    public static int FindLockTaskMm(OomTask p)
    {
        if (p.Mm is null) return -1;
        if (p.leaderHasMm) return p.Pid;
        foreach (var t in p.otherThreads) if (t.HasMm) return t.Tid;
        return -1;
    }

    /// <summary>
    /// <c>oom_badness()</c>: rss + swap entries + page-table pages, plus <c>oom_score_adj * (totalpages / 1000)</c>
    /// (division first, so the adj does nothing below 1000 pages) under the seed's rules, or as the machine's
    /// <see cref="Model.OomMachine.Scoring"/> era scored. <see cref="long.MinValue"/> (LONG_MIN) for a task that
    /// must not be chosen.
    /// </summary>
    public long OomBadness(OomTask p, Pages totalPages) => OomBadness(p, totalPages.Value, out _);

    /// <summary>oom_badness, or LONG_MIN and why the task is never chosen.</summary>
    internal long OomBadness(OomTask p, long totalPages, out OomSkipReason reason)
    {
        long points = BadnessPages(p, out reason);
        return reason != OomSkipReason.None ? long.MinValue : m.Scoring.Badness(points, p.oomScoreAdj, totalPages, p.HasCapSysAdmin);
    }

    /// <summary>
    /// oom_badness's tests and its sum of pages (rss + swap entries + page-table pages), before oom_score_adj and
    /// totalpages come in: what the score table keeps per task. <see cref="long.MinValue"/> with the reason when
    /// the task is never chosen.
    /// </summary>
    internal long BadnessPages(OomTask p, out OomSkipReason reason)
    {
        if (OomUnkillableTask(p))
        {
            reason = p.IsGlobalInit ? OomSkipReason.GlobalInit : OomSkipReason.KernelThread;
            return long.MinValue;
        }
        var mm = p.Mm;
        if (mm is null || FindLockTaskMm(p) < 0) { reason = OomSkipReason.NoMm; return long.MinValue; }

        if (p.oomScoreAdj == OomScoreAdj.MinValue) { reason = OomSkipReason.OomScoreAdjMin; return long.MinValue; }
        if ((mm.Flags & MmFlags.OomSkip) != 0) { reason = OomSkipReason.MmOomSkip; return long.MinValue; }
        if (p.InVfork) { reason = OomSkipReason.InVfork; return long.MinValue; }

        reason = OomSkipReason.None;
        return mm.file + mm.anon + mm.shmem + mm.swapEnts + m.PageTablePages(mm.pgtablesBytes);
    }

    /// <summary>
    /// fs/proc/base.c <c>proc_oom_score()</c>: what <c>/proc/PID/oom_score</c> reads. Always scaled to the global
    /// totalpages (RAM + swap), whatever cgroup the task is in: <c>(1000 + badness*1000/totalpages) * 2 / 3</c>
    /// since 5.9 (<see cref="Kernels.KernelRules.ProcOomScore"/> has the older forms).
    /// </summary>
    public long ProcOomScore(OomTask p)
    {
        long total = m.TotalRamPages.Value + m.TotalSwapPages.Value;
        long badness = OomBadness(p, total, out _);
        return badness == long.MinValue ? 0 : m.Scoring.ProcOomScore(badness, total);
    }
}
