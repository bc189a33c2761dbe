using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>select_bad_process and oom_badness's rank over the score table's rows.</summary>
internal sealed partial class ScoreTable
{
    /// <summary>
    /// select_bad_process over the table for <paramref name="oc"/>: the index of the task chosen (-1 for none) and
    /// its points, or, with <paramref name="aborted"/>, the index of the earlier victim still exiting that stops the
    /// scan (and the best points up to it, as oc-&gt;chosen_points is left).
    /// </summary>
    internal int Select(OomKiller killer, OomMachine m, OomControl oc, out long chosenPoints, out bool aborted)
    {
        long total = oc.TotalPages.Value;
        bool sysrq = oc.IsSysrqOom;
        if (oc.Nodemask is { } mask) return Select(total, sysrq, new NodesMeet(Binds(m), mask.Bits), out chosenPoints, out aborted);
        if (m.CpusetsEnabled) return Select(total, sysrq, new NodesMeet(Mems(m), killer.CurrentMemsAllowed(oc).Bits), out chosenPoints, out aborted);
        return Select(total, sysrq, default(Everyone), out chosenPoints, out aborted);
    }

    /// <summary>
    /// How many killable tasks of <paramref name="oc"/>'s scan rank before the task at <paramref name="order"/> with
    /// <paramref name="points"/>: more points, or as many and later in the list (ties go to the later task). Killable
    /// as Get-OomBadness ranks: every task oom_evaluate_task would score, a victim (unless SysRq) never; one O(n)
    /// pass, nothing sorted.
    /// </summary>
    internal int CountAhead(OomKiller killer, OomMachine m, OomControl oc, long points, int order)
    {
        long total = oc.TotalPages.Value;
        bool sysrq = oc.IsSysrqOom;
        if (oc.Nodemask is { } mask) return CountAhead(total, sysrq, new NodesMeet(Binds(m), mask.Bits), points, order);
        if (m.CpusetsEnabled) return CountAhead(total, sysrq, new NodesMeet(Mems(m), killer.CurrentMemsAllowed(oc).Bits), points, order);
        return CountAhead(total, sysrq, default(Everyone), points, order);
    }

    [MethodImpl(Hot)]
    private int Select<TEligible>(long totalPages, bool sysrq, TEligible eligible, out long chosenPoints, out bool aborted)
        where TEligible : struct, IEligible
    {
        long unit = totalPages / 1000; // oom_badness's scale for oom_score_adj, the same for every task
        long[] pg = pages;
        short[] ad = adj;
        byte[] fl = flags;
        if (ad.Length != pg.Length || fl.Length != pg.Length || count > pg.Length) throw new InvalidOperationException("score table arrays out of step");
        long best = long.MinValue;
        int chosen = -1;
        aborted = false;
        // Past count (rows taken out since the build) every row is a LONG_MIN sentinel: the loop runs to the arrays'
        // length, which lets the JIT drop the bounds checks.
        for (int i = 0; i < pg.Length; i++)
        {
            // oom_cpuset_eligible comes after oom_unkillable_task, but both skip, so their order does not matter here.
            if (!eligible.Allows(i)) continue;
            byte f = fl[i];
            if (f != 0)
            {
                if (!sysrq && (f & Victim) != 0)
                {
                    if ((f & VictimExiting) == 0) continue;
                    aborted = true;
                    chosenPoints = best;
                    return i;
                }
                if ((f & Origin) != 0)
                {
                    best = long.MaxValue;
                    chosen = i;
                    continue;
                }
            }
            long b = pg[i];
            if (b == long.MinValue) continue;
            long points = b + ad[i] * unit;
            // Ties go to the later task; a sum that lands on LONG_MIN is skipped as oom_evaluate_task skips it.
            if (points >= best && points != long.MinValue)
            {
                best = points;
                chosen = i;
            }
        }
        chosenPoints = best;
        return chosen;
    }

    [MethodImpl(Hot)]
    private int CountAhead<TEligible>(long totalPages, bool sysrq, TEligible eligible, long points, int order)
        where TEligible : struct, IEligible
    {
        long unit = totalPages / 1000;
        long[] pg = pages;
        short[] ad = adj;
        byte[] fl = flags;
        if (ad.Length != pg.Length || fl.Length != pg.Length || count > pg.Length) throw new InvalidOperationException("score table arrays out of step");
        // Ahead: more points anywhere, or as many and later. The first is half the tasks on average, so it is counted
        // without a branch (a mispredicted one a task cost several times the scan); equal points are rare.
        int more = 0, tiedLater = 0;
        for (int i = 0; i < pg.Length; i++)
        {
            if (!eligible.Allows(i)) continue;
            long p;
            byte f = fl[i];
            if (f != 0 && !sysrq && (f & Victim) != 0) continue;
            if (f != 0 && (f & Origin) != 0)
            {
                p = long.MaxValue;
            }
            else
            {
                long b = pg[i];
                if (b == long.MinValue) continue;
                p = b + ad[i] * unit;
            }
            more += p > points ? 1 : 0;
            if (p == points && i > order) tiedLater++;
        }
        return more + tiedLater;
    }
    private ulong[] Binds(OomMachine m)
    {
        if (binds is null || bindsVersion != version) binds = Nodes(m, binds, t => t.MempolicyBind is { } b ? b.Bits : ~0UL, out bindsVersion);
        return binds;
    }

    private ulong[] Mems(OomMachine m)
    {
        if (mems is null || memsVersion != version) mems = Nodes(m, mems, t => t.Cpuset is { } cs ? cs.Mems.Bits : 0, out memsVersion);
        return mems;
    }

    private ulong[] Nodes(OomMachine m, ulong[]? reuse, Func<OomTask, ulong> of, out VersionStamp stamp)
    {
        var list = (List<OomTask>)m.Tasks;
        // As long as the rows (sentinels past the tasks allow nothing).
        var nodes = reuse is not null && reuse.Length == pages.Length ? reuse : new ulong[pages.Length];
        for (int i = 0; i < nodes.Length; i++) nodes[i] = i < list.Count ? of(list[i]) : 0;
        stamp = version;
        return nodes;
    }

    // oom_cpuset_eligible as a type argument, so the unconstrained scan compiles to a loop without the test.
    internal interface IEligible
    {
        bool Allows(int i);
    }

    private readonly struct Everyone : IEligible
    {
        public bool Allows(int i) => true;
    }

    /// <summary>The task's nodes (MPOL_BIND's, or its cpuset's mems) meet the OOM's.</summary>
    private readonly struct NodesMeet : IEligible
    {
        private readonly ulong[] nodes;
        private readonly ulong mask;
        public NodesMeet(ulong[] nodes, ulong mask) { this.nodes = nodes; this.mask = mask; }
        public bool Allows(int i) => (nodes[i] & mask) != 0;
    }
}
