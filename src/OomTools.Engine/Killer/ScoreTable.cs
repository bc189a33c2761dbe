using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>
/// What select_bad_process reads of each task, in task-list order, as three parallel arrays (11 bytes a task):
/// oom_badness's sum of pages (LONG_MIN when oom_badness or oom_unkillable_task rules the task out), the
/// oom_score_adj, and the rare cases oom_evaluate_task decides before scoring (an earlier victim, reaped or still
/// exiting; an oom_task_origin task). Walking these instead of the task and mm objects (a few hundred bytes a task,
/// out of cache on a big machine) is what makes the scan as fast as a plain loop. The table is a copy, stamped with
/// <see cref="ScoreVersion"/>, and trusted only while no setter the scan depends on has run since.
/// </summary>
internal sealed class ScoreTable
{
    private static readonly ConditionalWeakTable<OomMachine, ScoreTable> Tables = new();

    /// <summary>signal-&gt;oom_flag_origin: chosen with LONG_MAX once past the victim test.</summary>
    internal const byte Origin = 1;
    /// <summary>An earlier victim whose oom_mm has no MMF_OOM_SKIP yet: the scan stops (-1) unless SysRq.</summary>
    internal const byte VictimExiting = 2;
    /// <summary>An earlier victim whose oom_mm has MMF_OOM_SKIP: passed over unless SysRq.</summary>
    internal const byte VictimReaped = 4;
    private const byte Victim = VictimExiting | VictimReaped;

    private long[] pages = Array.Empty<long>();
    private short[] adj = Array.Empty<short>();
    private byte[] flags = Array.Empty<byte>();
    private long version, pageSize, slowSeen, declined;
    // The tasks' nodes for oom_cpuset_eligible, made the first time a constrained scan asks (most never do), each
    // stamped with the version it was read at: MPOL_BIND nodes (every node without a policy), cpuset mems.
    private ulong[]? binds, mems;
    private long bindsVersion, memsVersion;

    private ScoreTable() { }

    /// <summary>The table of <paramref name="machine"/> (empty until first built; it lives as long as the machine).</summary>
    internal static ScoreTable For(OomMachine machine) => Tables.GetValue(machine, _ => new ScoreTable());

    /// <summary>
    /// The scans the table answers exactly: the seed's scoring (pages, no root bonus, no floor, ties to the later
    /// task) and no memcg (its subtree is scanned in cgroup order). A mempolicy nodemask (not empty) or cpusets add
    /// oom_cpuset_eligible's test, on the tasks' nodes kept beside the table.
    /// </summary>
    internal static bool Answers(OomMachine m, OomControl oc) =>
        oc.Memcg is null && !(oc.Nodemask is { IsEmpty: true }) && m.Scoring.IsCurrent;

    /// <summary>Whether the table still holds what the machine's tasks would give (nothing the scan reads has changed).</summary>
    internal bool IsCurrent(OomMachine m) =>
        version != 0 && version == ScoreVersion.Current && pageSize == m.PageSize && pages.Length == m.Tasks.Count;

    /// <summary>
    /// Makes the table current for a scan: already so, or rebuilt when <paramref name="always"/> or when the machine
    /// has not changed since the previous scan that did without it (a machine scanned again and again; one changed
    /// between every scan, as in a storm, keeps the object walk, which costs the same as a rebuild). False when the
    /// scan is to walk the objects.
    /// </summary>
    internal bool Ready(OomKiller killer, OomMachine m, bool always)
    {
        if (IsCurrent(m)) return true;
        long seen = ScoreVersion.Observe();
        if (seen == declined) return false;
        if (!always && seen != slowSeen)
        {
            slowSeen = seen;
            return false;
        }
        if (Build(killer, m, seen)) return true;
        declined = seen;
        return false;
    }

    private bool Build(OomKiller killer, OomMachine m, long stamp)
    {
        var tasks = (List<OomTask>)m.Tasks;
        int n = tasks.Count;
        version = 0;
        if (pages.Length != n)
        {
            pages = new long[n];
            adj = new short[n];
            flags = new byte[n];
        }
        for (int i = 0; i < n; i++)
        {
            var t = tasks[i];
            if (OomKiller.OomUnkillableTask(t))
            {
                // oom_evaluate_task's first test: nothing else about the task matters.
                pages[i] = long.MinValue;
                adj[i] = 0;
                flags[i] = 0;
                continue;
            }
            byte f = t.OomOrigin ? Origin : (byte)0;
            if (t.OomMm is { } oomMm) f |= (oomMm.Flags & MmFlags.OomSkip) != 0 ? VictimReaped : VictimExiting;
            long p = killer.BadnessPages(t, out var reason);
            // LONG_MIN is the table's "never"; a real sum of that value (only counters gone negative) is left to the objects.
            if (reason == OomSkipReason.None && p == long.MinValue) return false;
            pages[i] = p;
            adj[i] = t.oomScoreAdj;
            flags[i] = f;
        }
        pageSize = m.PageSize;
        version = stamp;
        return true;
    }

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

    private int Select<TEligible>(long totalPages, bool sysrq, TEligible eligible, out long chosenPoints, out bool aborted)
        where TEligible : struct, IEligible
    {
        long unit = totalPages / 1000; // oom_badness's scale for oom_score_adj, the same for every task
        long[] pg = pages;
        short[] ad = adj;
        byte[] fl = flags;
        if (ad.Length != pg.Length || fl.Length != pg.Length) throw new InvalidOperationException("score table arrays out of step");
        long best = long.MinValue;
        int chosen = -1;
        aborted = false;
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

    private int CountAhead<TEligible>(long totalPages, bool sysrq, TEligible eligible, long points, int order)
        where TEligible : struct, IEligible
    {
        long unit = totalPages / 1000;
        long[] pg = pages;
        short[] ad = adj;
        byte[] fl = flags;
        if (ad.Length != pg.Length || fl.Length != pg.Length) throw new InvalidOperationException("score table arrays out of step");
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

    private ulong[] Nodes(OomMachine m, ulong[]? reuse, Func<OomTask, ulong> of, out long stamp)
    {
        var tasks = (List<OomTask>)m.Tasks;
        var nodes = reuse is not null && reuse.Length == tasks.Count ? reuse : new ulong[tasks.Count];
        for (int i = 0; i < nodes.Length; i++) nodes[i] = of(tasks[i]);
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
