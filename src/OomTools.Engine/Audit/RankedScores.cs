using System;
using System.Collections.Generic;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Audit;

/// <summary>
/// Every task of an OOM domain scored and ranked as <see cref="BadnessRanking.ScoreAll"/> ranks them (the same
/// eligibility, oom_badness, scan order and tie rule), kept as values: a candidate object with its breakdown is made
/// only for a task someone asks about. Test-OomProtection reads three tasks of a thousand-process ranking (its
/// process, the one ranked just above it, and the one its gap is measured to), and making an object for every task
/// was a tenth of an audit's allocation.
/// </summary>
internal sealed class RankedScores
{
    private readonly OomKiller killer;
    private readonly OomControl oc;
    private readonly long total;
    private readonly List<OomTask> tasks;
    private readonly List<long> points; // long.MinValue: passed over or never chosen (no rank)
    private int[] byRank = Array.Empty<int>();  // scan index of the task at each rank, rank 1 first
    private int[] rankOf = Array.Empty<int>();  // each task's rank, 0 when not killable

    private RankedScores(OomKiller killer, OomControl oc, long total, int capacity)
    {
        this.killer = killer;
        this.oc = oc;
        this.total = total;
        tasks = new List<OomTask>(capacity);
        points = new List<long>(capacity);
    }

    /// <summary>Scores every task in <paramref name="oc"/>'s domain of <paramref name="machine"/> and ranks the killable ones.</summary>
    internal static RankedScores Of(OomMachine machine, OomControl oc)
    {
        var killer = machine.Killer;
        // Room for every task of a global OOM's domain up front (a memcg's lists grow as they go).
        var r = new RankedScores(killer, oc, BadnessRanking.Constrain(killer, oc), oc.IsMemcgOom ? 0 : machine.Tasks.Count);
        foreach (var task in BadnessRanking.Scan(machine, oc))
        {
            r.tasks.Add(task);
            r.points.Add(BadnessRanking.PointsOf(killer, oc, r.total, task) ?? long.MinValue);
        }
        r.Rank(machine.Scoring.TiesToLater);
        return r;
    }

    private void Rank(bool tiesToLater)
    {
        int n = 0;
        foreach (var p in points) if (p != long.MinValue) n++;
        var keys = new OomCandidate.RankKey[n];
        int k = 0;
        for (int i = 0; i < points.Count; i++)
            if (points[i] != long.MinValue) keys[k++] = OomCandidate.RankKey.For(points[i], i, i, tiesToLater);
        Array.Sort(keys);
        byRank = new int[n];
        rankOf = new int[points.Count];
        for (int r = 0; r < n; r++)
        {
            byRank[r] = keys[r].Index;
            rankOf[keys[r].Index] = r + 1;
        }
    }

    /// <summary>The candidate for <paramref name="task"/>, weighed with its breakdown and ranked; null when it is not in the domain.</summary>
    internal OomCandidate? For(OomTask task)
    {
        int i = tasks.IndexOf(task);
        return i < 0 ? null : At(i);
    }

    /// <summary>The candidate ranked <paramref name="rank"/> (1 is the kernel's choice); null past the last rank.</summary>
    internal OomCandidate? AtRank(int rank) => rank >= 1 && rank <= byRank.Length ? At(byRank[rank - 1]) : null;

    /// <summary>
    /// The <paramref name="nth"/> killable candidate in rank order among those whose pid is not in
    /// <paramref name="excluded"/>; null when there are fewer.
    /// </summary>
    internal OomCandidate? NthOutside(ISet<int> excluded, int nth)
    {
        foreach (int i in byRank)
            if (!excluded.Contains(tasks[i].Pid) && --nth == 0) return At(i);
        return null;
    }

    private OomCandidate At(int index)
    {
        var c = BadnessRanking.Weigh(killer, oc, total, tasks[index], index);
        c.Rank = rankOf[index];
        return c;
    }
}
