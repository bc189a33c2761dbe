using System.Collections.Generic;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary>
    /// <c>oom_evaluate_task()</c>: weighs one task and keeps it in <c>oc.Chosen</c> when it scores at least the
    /// best so far (so ties go to the later task). Returns true to abort the scan, which happens when an earlier
    /// victim is still exiting without MMF_OOM_SKIP (never for SysRq-f).
    /// </summary>
    internal bool OomEvaluateTask(OomTask task, OomControl oc, int order)
    {
        var log = oc.Candidates;
        var skip = PassOver(task, oc);
        if (skip != OomSkipReason.None)
        {
            if (log is not null) log.Add(RecordPassedOver(task, order, skip), oc.TotalPages.Value, m.Scoring);
            if (skip != OomSkipReason.VictimExiting) return false;
            oc.Chosen = null;
            oc.Aborted = true;
            oc.AbortedBy = task;
            return true;
        }

        long points;
        if (task.OomOrigin)
        {
            points = long.MaxValue;
            if (log is not null) log.Add(Record(task, order, OomSkipReason.None, origin: true), oc.TotalPages.Value, m.Scoring);
        }
        else
        {
            points = OomBadness(task, oc.TotalPages.Value, out var reason);
            if (log is not null) log.Add(Record(task, order, reason, badness: points, totalPages: oc.TotalPages.Value), oc.TotalPages.Value, m.Scoring);
            if (points == long.MinValue || !m.Scoring.Displaces(points, oc.ChosenPoints, oc.Chosen is not null)) return false;
        }
        oc.Chosen = task;
        oc.ChosenPoints = points;
        return false;
    }

    /// <summary>
    /// The tests of <c>oom_evaluate_task()</c> before any points, in its order: unkillable, outside the OOM's
    /// nodes, then an earlier OOM victim — skipped once MMF_OOM_SKIP is on its oom_mm, otherwise it stops the
    /// scan (<see cref="OomSkipReason.VictimExiting"/>). Only a task that passes all of them reaches the
    /// oom_task_origin test, so a reaped victim is never chosen with LONG_MAX. <see cref="OomSkipReason.None"/>
    /// when the task is to be scored.
    /// </summary>
    internal OomSkipReason PassOver(OomTask task, OomControl oc)
    {
        if (OomUnkillableTask(task)) return task.IsGlobalInit ? OomSkipReason.GlobalInit : OomSkipReason.KernelThread;
        // p may not have freeable memory in nodemask
        if (!oc.IsMemcgOom && !OomCpusetEligible(task, oc)) return OomSkipReason.OutsideNodes;
        // An earlier victim holds the reserves; wait for it unless the reaper is already done with it.
        if (!oc.IsSysrqOom && task.OomMm is { } oomMm)
            return (oomMm.Flags & MmFlags.OomSkip) != 0 ? OomSkipReason.ReapedVictim : OomSkipReason.VictimExiting;
        return OomSkipReason.None;
    }

    /// <summary>
    /// <c>select_bad_process()</c>: scans a memcg OOM's subtree (cgroups in pre-order, each one's tasks in
    /// arrival order) or every process in creation order, and leaves the winner in <c>oc.Chosen</c>. When the scan
    /// is a global one the machine's score table answers (<see cref="ScoreTable.Answers"/>) and its candidates, if
    /// recorded, are every task's (no mempolicy or cpuset nodes), it walks that table instead of the tasks and records
    /// its rows: the same decisions and candidates, at the speed of a loop over arrays.
    /// </summary>
    public void SelectBadProcess(OomControl oc)
    {
        var log = oc.Candidates;
        // Recorded candidates come from the table's rows too, on a scan over every task (no nodes to test). A table
        // that is not current is built at once (not only on the second scan of an unchanged machine): a build costs
        // about what a walk over the objects does, and a current table also spares dump_tasks the rows a small log
        // ring would overwrite and show_mem its pass over the mms (in a storm, 4x the OOMs' cost with the walk).
        bool recordable = log is { Count: 0 } && oc.Nodemask is null && !m.CpusetsEnabled;
        if ((log is null || recordable) && ScoreTable.Answers(m, oc))
        {
            var table = ScoreTable.For(m);
            if (table.Ready(this, m, always: true))
            {
                int i = SelectFromTable(table, oc);
                // The scan weighs every task up to the one that stops it (an earlier victim still exiting).
                log?.Record(table.Share(), oc.Aborted ? i + 1 : m.Tasks.Count, oc.IsSysrqOom,
                    m.TotalRamPages.Value + m.TotalSwapPages.Value, oc.TotalPages.Value, m.Scoring, m.SyncRoot);
                return;
            }
        }
        SelectBadProcessReference(oc);
    }

    private int SelectFromTable(ScoreTable table, OomControl oc)
    {
        int i = table.Select(this, m, oc, out long points, out bool aborted);
        var task = i >= 0 ? m.Tasks[i] : null;
        // As the task-by-task scan leaves it: an abort keeps the best points so far and names the victim.
        oc.Aborted = aborted;
        if (aborted) oc.AbortedBy = task;
        oc.Chosen = aborted ? null : task;
        oc.ChosenPoints = points;
        return i;
    }

    /// <summary>
    /// select_bad_process task by task through <see cref="OomEvaluateTask"/>: the reference the score table is
    /// tested against, and the path for memcg scans, the older eras' scoring, a mempolicy or cpuset scan whose
    /// candidates are recorded, and a machine the table cannot hold.
    /// </summary>
    internal void SelectBadProcessReference(OomControl oc)
    {
        oc.ChosenPoints = long.MinValue;
        oc.Chosen = null;
        oc.Aborted = false;
        int order = 0;
        if (oc.Memcg is { } memcg)
        {
            foreach (var cg in memcg.SubtreePreOrder())
                foreach (var task in cg.tasks)
                    if (OomEvaluateTask(task, oc, order++)) return;
            return;
        }
        var tasks = (List<OomTask>)m.Tasks;
        for (int i = 0; i < tasks.Count; i++)
            if (OomEvaluateTask(tasks[i], oc, order++)) return;
    }

    /// <summary>
    /// Fills a candidate's breakdown of oom_badness with the terms <see cref="Kernels.KernelRules.Score"/> adds
    /// up, so the parts shown are the parts scored (shown also for a task passed over: what it would weigh), and
    /// its <c>/proc/PID/oom_score</c>, which proc_oom_score works out whatever the OOM's domain or nodes.
    /// </summary>
    internal void Describe(OomCandidate c, OomTask task, long totalPages, long points, OomSkipReason reason)
    {
        // points are oom_badness's against totalPages, or LONG_MAX for an oom_task_origin task.
        bool origin = points == long.MaxValue && task.OomOrigin && reason == OomSkipReason.None;
        c.Fill(Record(task, c.Order, reason, origin, origin ? null : points, totalPages), totalPages, m.Scoring);
    }

    /// <summary>
    /// A candidate passed over before oom_badness: init and kernel threads show no parts (oom_badness never looks
    /// at them); a task outside the nodes or an earlier victim shows what it would weigh and its /proc oom_score.
    /// </summary>
    internal void DescribePassedOver(OomCandidate c, OomTask task, long totalPages, OomSkipReason reason) =>
        c.Fill(RecordPassedOver(task, c.Order, reason), totalPages, m.Scoring);

    /// <summary>
    /// What <see cref="Describe"/> shows of a weighed task, read from it now: its mm's counters, oom_score_adj, root
    /// capability and /proc oom_score; scored when <paramref name="reason"/> is none. A caller that has just run
    /// oom_badness against <paramref name="totalPages"/> passes its <paramref name="badness"/>: when that is the
    /// global totalpages, proc_oom_score's own oom_badness would give the same, so it is not run twice.
    /// </summary>
    private CandidateRecord Record(OomTask task, int order, OomSkipReason reason, bool origin = false, long? badness = null, long totalPages = 0)
    {
        var r = new CandidateRecord { Task = task, Order = order, Reason = reason, Described = true, OomScoreAdj = task.oomScoreAdj };
        if (task.Mm is { } mm)
        {
            r.RssPages = mm.file + mm.anon + mm.shmem;
            r.SwapPages = mm.swapEnts;
            r.PageTablePages = m.PageTablePages(mm.pgtablesBytes);
        }
        r.IsRoot = task.HasCapSysAdmin;
        long global = m.TotalRamPages.Value + m.TotalSwapPages.Value;
        r.OomScore = badness is { } b && totalPages == global ? (b == long.MinValue ? 0 : m.Scoring.ProcOomScore(b, global)) : ProcOomScore(task);
        r.Scored = reason == OomSkipReason.None;
        r.Origin = origin;
        return r;
    }

    /// <summary>What <see cref="DescribePassedOver"/> shows: the reason alone for init and kernel threads, otherwise what the task would weigh.</summary>
    private CandidateRecord RecordPassedOver(OomTask task, int order, OomSkipReason reason) =>
        reason is OomSkipReason.GlobalInit or OomSkipReason.KernelThread
            ? new CandidateRecord { Task = task, Order = order, Reason = reason }
            : Record(task, order, reason);
}
