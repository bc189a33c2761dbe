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
    /// (division first, so the adj does nothing below 1000 pages). <see cref="long.MinValue"/> (LONG_MIN) for a
    /// task that must not be chosen.
    /// </summary>
    public long OomBadness(OomTask p, Pages totalPages) => OomBadness(p, totalPages.Value, out _);

    internal long OomBadness(OomTask p, long totalPages, out OomSkipReason reason)
    {
        if (OomUnkillableTask(p))
        {
            reason = p.IsGlobalInit ? OomSkipReason.GlobalInit : OomSkipReason.KernelThread;
            return long.MinValue;
        }
        var mm = p.Mm;
        if (mm is null || FindLockTaskMm(p) < 0) { reason = OomSkipReason.NoMm; return long.MinValue; }

        long adj = p.oomScoreAdj;
        if (adj == OomScoreAdj.MinValue) { reason = OomSkipReason.OomScoreAdjMin; return long.MinValue; }
        if ((mm.Flags & MmFlags.OomSkip) != 0) { reason = OomSkipReason.MmOomSkip; return long.MinValue; }
        if (p.InVfork) { reason = OomSkipReason.InVfork; return long.MinValue; }

        long points = mm.file + mm.anon + mm.shmem + mm.swapEnts + mm.pgtablesBytes / m.PageSize;
        reason = OomSkipReason.None;
        if (!m.Scoring.IsCurrent) return m.Scoring.Badness(points, adj, totalPages, p.Uid == 0);
        adj *= totalPages / 1000;
        return points + adj;
    }

    /// <summary>
    /// fs/proc/base.c <c>proc_oom_score()</c>: what <c>/proc/PID/oom_score</c> reads. Always scaled to the global
    /// totalpages (RAM + swap), whatever cgroup the task is in: <c>(1000 + badness*1000/totalpages) * 2 / 3</c>.
    /// </summary>
    public long ProcOomScore(OomTask p)
    {
        long total = m.TotalRamPages.Value + m.TotalSwapPages.Value;
        long badness = OomBadness(p, total, out _);
        if (badness == long.MinValue) return 0;
        // Before 5.9 the file showed the per-mille score: the badness itself before 3.5, points * 1000 / total after.
        if (m.Scoring.PerMille) return badness;
        if (!m.Scoring.IsCurrent) return badness * 1000 / total;
        return (1000 + badness * 1000 / total) * 2 / 3;
    }
}
