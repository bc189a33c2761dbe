using System.Collections.Generic;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;

namespace OomTools.Engine.Audit;

/// <summary>
/// Every task of an OOM domain scored without choosing (what Get-OomBadness lists): the same eligibility,
/// oom_badness and scan order as <c>select_bad_process</c>, ranked the way its tie rule goes. An earlier OOM
/// victim is passed over as the scan passes it (reaped) or marked as the one it would stop at (still exiting);
/// either way it is not ranked.
/// </summary>
public static class BadnessRanking
{
    // Above this many tasks asked for, counting each one's rank in its own pass costs more than sorting them all.
    private const int CountedRanksLimit = 64;

    /// <summary>Scores every task in <paramref name="oc"/>'s domain and ranks the killable ones.</summary>
    public static IReadOnlyList<OomCandidate> ScoreAll(OomMachine machine, OomControl oc)
    {
        var killer = machine.Killer;
        long total = Constrain(killer, oc);
        var list = new List<OomCandidate>();
        int order = 0;
        foreach (var task in Scan(machine, oc)) list.Add(Weigh(killer, oc, total, task, order++));
        OomCandidate.RankAll(list, machine.Scoring.TiesToLater);
        return list;
    }

    /// <summary>
    /// <see cref="ScoreAll"/> in the order a reader wants it: the killable tasks by rank (the kernel's choice
    /// first), then the ones never chosen in scan order.
    /// </summary>
    public static IReadOnlyList<OomCandidate> Ranked(OomMachine machine, OomControl oc)
    {
        var list = new List<OomCandidate>(ScoreAll(machine, oc));
        list.Sort(ReaderOrder);
        return list;
    }

    /// <summary>
    /// <see cref="Ranked"/> cut to <paramref name="tasks"/> (those of them in the domain, each once), with the same
    /// values and ranks, but without weighing every task into an object and sorting them: only the tasks asked for
    /// are scored, and each one's rank is a count of the killable tasks ahead of it, one pass over the machine's
    /// score table (or, where the table does not answer, over the domain's tasks).
    /// </summary>
    public static IReadOnlyList<OomCandidate> RankedOnly(OomMachine machine, OomControl oc, IEnumerable<OomTask> tasks)
    {
        var wanted = new HashSet<OomTask>(tasks);
        if (wanted.Count > CountedRanksLimit)
        {
            var all = Ranked(machine, oc);
            var cut = new List<OomCandidate>();
            foreach (var c in all) if (wanted.Contains(c.Task)) cut.Add(c);
            return cut;
        }

        var killer = machine.Killer;
        long total = Constrain(killer, oc);
        var list = new List<OomCandidate>();
        if (oc.Memcg is null)
        {
            var machineTasks = (List<OomTask>)machine.Tasks;
            foreach (var task in wanted)
            {
                int order = IndexOf(machineTasks, task);
                if (order >= 0) list.Add(Weigh(killer, oc, total, task, order));
            }
        }
        else
        {
            int order = 0;
            foreach (var task in Scan(machine, oc))
            {
                if (wanted.Contains(task)) list.Add(Weigh(killer, oc, total, task, order));
                order++;
            }
        }

        var killable = list.FindAll(c => c.Points.HasValue);
        if (killable.Count > 0)
        {
            if (ScoreTable.Answers(machine, oc) && ScoreTable.For(machine) is var table && table.Ready(killer, machine, always: true))
            {
                foreach (var c in killable) c.Rank = 1 + table.CountAhead(killer, machine, oc, c.Points!.Value, c.Order);
            }
            else
            {
                CountAhead(machine, killer, oc, total, killable);
            }
        }
        list.Sort(ReaderOrder);
        return list;
    }

    /// <summary>constrained_alloc as out_of_memory runs it: totalpages, and the nodemask kept only for a mempolicy OOM.</summary>
    internal static long Constrain(OomKiller killer, OomControl oc)
    {
        oc.Constraint = killer.ConstrainedAlloc(oc);
        if (oc.Constraint != OomConstraint.MemoryPolicy) oc.Nodemask = null;
        return oc.TotalPages.Value;
    }

    internal static IEnumerable<OomTask> Scan(OomMachine machine, OomControl oc) =>
        oc.Memcg is { } memcg ? Memcontrol.MemCgroups.ScanTasks(memcg) : machine.Tasks;

    /// <summary>One task weighed as oom_evaluate_task would, without choosing: its points and their parts, or why it is passed over.</summary>
    internal static OomCandidate Weigh(OomKiller killer, OomControl oc, long total, OomTask task, int order)
    {
        var c = new OomCandidate(task, order);
        // oom_evaluate_task's tests in its order: a victim is passed over (or would stop the scan) before
        // the OOM-origin test, so a reaped OOM-origin victim is not ranked first with LONG_MAX.
        var reason = killer.PassOver(task, oc);
        if (reason != OomSkipReason.None) { killer.DescribePassedOver(c, task, total, reason); return c; }
        long points = task.OomOrigin ? long.MaxValue : killer.OomBadness(task, total, out reason);
        killer.Describe(c, task, total, points, reason);
        return c;
    }

    /// <summary>
    /// The points <see cref="Weigh"/> gives <paramref name="task"/> (oom_evaluate_task's tests, then oom_badness, or
    /// LONG_MAX for an OOM-origin task), without the breakdown or an object; null when it is passed over or never
    /// chosen.
    /// </summary>
    internal static long? PointsOf(OomKiller killer, OomControl oc, long total, OomTask task)
    {
        if (killer.PassOver(task, oc) != OomSkipReason.None) return null;
        if (task.OomOrigin) return long.MaxValue;
        long p = killer.OomBadness(task, total, out var reason);
        return reason == OomSkipReason.None ? p : null;
    }

    /// <summary>
    /// The ranks of <paramref name="killable"/> in one pass over the domain: each task weighed as <see cref="Weigh"/>
    /// weighs it (no object made), counted ahead of every asked-for task it outranks under the era's tie rule.
    /// </summary>
    private static void CountAhead(OomMachine machine, OomKiller killer, OomControl oc, long total, List<OomCandidate> killable)
    {
        bool tiesToLater = machine.Scoring.TiesToLater;
        var ahead = new int[killable.Count];
        int order = 0;
        foreach (var task in Scan(machine, oc))
        {
            int o = order++;
            if (PointsOf(killer, oc, total, task) is not { } p) continue;
            for (int k = 0; k < killable.Count; k++)
            {
                long mine = killable[k].Points!.Value;
                if (p > mine || (p == mine && (tiesToLater ? o > killable[k].Order : o < killable[k].Order))) ahead[k]++;
            }
        }
        for (int k = 0; k < killable.Count; k++) killable[k].Rank = 1 + ahead[k];
    }

    private static int IndexOf(List<OomTask> tasks, OomTask task)
    {
        for (int i = 0; i < tasks.Count; i++) if (ReferenceEquals(tasks[i], task)) return i;
        return -1;
    }

    /// <summary>Killable tasks by rank, then the others in scan order.</summary>
    private static int ReaderOrder(OomCandidate a, OomCandidate b) =>
        a.Rank != b.Rank ? RankKey(a).CompareTo(RankKey(b)) : a.Order.CompareTo(b.Order);

    private static int RankKey(OomCandidate c) => c.Rank == 0 ? int.MaxValue : c.Rank;
}
