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
    /// <summary>Scores every task in <paramref name="oc"/>'s domain and ranks the killable ones.</summary>
    public static IReadOnlyList<OomCandidate> ScoreAll(OomMachine machine, OomControl oc)
    {
        var killer = machine.Killer;
        oc.Constraint = killer.ConstrainedAlloc(oc);
        if (oc.Constraint != OomConstraint.MemoryPolicy) oc.Nodemask = null;
        var list = new List<OomCandidate>();
        int order = 0;
        IEnumerable<OomTask> scan = oc.Memcg is { } memcg ? Memcontrol.MemCgroups.ScanTasks(memcg) : machine.Tasks;
        long total = oc.TotalPages.Value;
        foreach (var task in scan)
        {
            var c = new OomCandidate(task, order++);
            list.Add(c);
            // oom_evaluate_task's tests in its order: a victim is passed over (or would stop the scan) before
            // the OOM-origin test, so a reaped OOM-origin victim is not ranked first with LONG_MAX.
            var reason = killer.PassOver(task, oc);
            if (reason != OomSkipReason.None) { killer.DescribePassedOver(c, task, total, reason); continue; }
            long points = task.OomOrigin ? long.MaxValue : killer.OomBadness(task, total, out reason);
            killer.Describe(c, task, total, points, reason);
        }
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
        list.Sort((a, b) => a.Rank != b.Rank ? RankKey(a).CompareTo(RankKey(b)) : a.Order.CompareTo(b.Order));
        return list;
    }

    private static int RankKey(OomCandidate c) => c.Rank == 0 ? int.MaxValue : c.Rank;
}
