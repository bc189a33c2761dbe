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

    // MethodImplOptions.AggressiveOptimization (not in netstandard2.0's enum): the loops over every row are compiled
    // optimized at once. A cmdlet runs each a few times, mostly before tiered compilation would have got to them.
    private const MethodImplOptions Hot = (MethodImplOptions)512;

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
    // What a recorded candidate shows of each row (CandidateLog reads them through a Rows snapshot): the task, its
    // mm's counters, why oom_badness ruled it out (or none; for an unkillable task, why it is passed over) and the
    // root capability (RootBit), so a scan that records its candidates need not visit the objects either.
    private OomTask[] tasks = Array.Empty<OomTask>();
    private long[] rss = Array.Empty<long>(), swap = Array.Empty<long>(), pgtables = Array.Empty<long>();
    private byte[] reasons = Array.Empty<byte>();
    private const byte RootBit = 0x80;
    private int count;
    // show_mem's swap in use: MM_SWAPENTS of each distinct mm, summed at the build and kept in step with exits; null
    // once a change the table followed moved a row's swap in a way it cannot account for.
    private long? swapUsed;
    // Set once a candidate log recorded from the arrays (Share): every row written since is first kept there as it was,
    // so each log can see its rows as they were at its scan without the arrays being copied (a copy of every row an
    // OOM, in a storm, was a large-object allocation an OOM and a full collection every few).
    private RowHistory? history;
    // Past this many kept rows the arrays are left to the logs and the table takes copies (a new history).
    private const int HistoryLimit = 4096;
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

    /// <summary>
    /// Whether the table holds what the machine's tasks would give: nothing the scan reads has changed since it was
    /// stamped, or only the changes recorded in the machine's <see cref="OomMachine.ScoreChanges"/> (kill marks, their
    /// undo, exits), which it follows now, row by row.
    /// </summary>
    internal bool IsCurrent(OomMachine m)
    {
        if (version == 0 || pageSize != m.PageSize) return false;
        if (version != ScoreVersion.Current && !CatchUp(m)) return false;
        return count == m.Tasks.Count;
    }

    /// <summary>
    /// Makes the table current for a scan: already so (following the recorded changes), or rebuilt when
    /// <paramref name="always"/> (what select_bad_process and Get-OomBadness ask) or when the machine has not changed
    /// since the previous scan that did without it. False when the scan is to walk the objects.
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

    [MethodImpl(Hot)]
    private bool Build(OomKiller killer, OomMachine m, long stamp)
    {
        var list = (List<OomTask>)m.Tasks;
        int n = list.Count;
        version = 0;
        if (history is not null || pages.Length != n) Allocate(n);
        history = null;
        list.CopyTo(tasks, 0);
        count = n;
        for (int i = 0; i < n; i++)
            if (!Fill(killer, i, list[i])) return false;
        long swapSum = 0;
        foreach (var mm in OomMachine.DistinctMms(list)) swapSum += mm.swapEnts;
        swapUsed = swapSum;
        pageSize = m.PageSize;
        version = stamp;
        return true;
    }

    private void Allocate(int n)
    {
        pages = new long[n];
        adj = new short[n];
        flags = new byte[n];
        tasks = new OomTask[n];
        rss = new long[n];
        swap = new long[n];
        pgtables = new long[n];
        reasons = new byte[n];
    }

    /// <summary>Row <paramref name="i"/> from <paramref name="t"/> as it is now; false when the table cannot hold it.</summary>
    private bool Fill(OomKiller killer, int i, OomTask t)
    {
        long p;
        short a;
        byte f, why;
        long r = 0, s = 0, g = 0;
        if (OomKiller.OomUnkillableTask(t))
        {
            // oom_evaluate_task's first test: nothing else about the task matters.
            p = long.MinValue;
            a = 0;
            f = 0;
            why = (byte)(t.IsGlobalInit ? OomSkipReason.GlobalInit : OomSkipReason.KernelThread);
        }
        else
        {
            f = t.OomOrigin ? Origin : (byte)0;
            if (t.OomMm is { } oomMm) f |= (oomMm.Flags & MmFlags.OomSkip) != 0 ? VictimReaped : VictimExiting;
            p = killer.BadnessPages(t, out var reason);
            // LONG_MIN is the table's "never"; a real sum of that value (only counters gone negative) is left to the objects.
            if (reason == OomSkipReason.None && p == long.MinValue) return false;
            a = t.oomScoreAdj;
            why = (byte)reason;
            if (t.HasCapSysAdmin) why |= RootBit;
        }
        // Kept for every task with an mm, init's too: show_mem's swap sum counts it, and an exit takes it out.
        if (t.Mm is { } mm)
        {
            r = mm.file + mm.anon + mm.shmem;
            s = mm.swapEnts;
            g = killer.Machine.PageTablePages(mm.pgtablesBytes);
        }
        if (pages[i] == p && adj[i] == a && flags[i] == f && reasons[i] == why && rss[i] == r && swap[i] == s &&
            pgtables[i] == g && ReferenceEquals(tasks[i], t))
            return true; // unchanged: a what-if's kill and its undo leave the rows as they were, and nothing is kept
        Keep(RowHistory.Set, i);
        if (swap[i] != s || !ReferenceEquals(tasks[i], t)) swapUsed = null;
        pages[i] = p;
        adj[i] = a;
        flags[i] = f;
        reasons[i] = why;
        rss[i] = r;
        swap[i] = s;
        pgtables[i] = g;
        tasks[i] = t;
        return true;
    }

    // Before row i is written or taken out: kept as it was for the logs sharing the arrays (none: nothing to keep).
    private void Keep(byte kind, int i)
    {
        if (history is null) return;
        if (history.Changes.Count >= HistoryLimit)
        {
            Detach();
            return;
        }
        history.Changes.Add(new RowHistory.Change(kind, i, new RowHistory.Row(tasks[i], pages[i], adj[i], flags[i], reasons[i], rss[i], swap[i], pgtables[i])));
    }

    // The arrays and their history are left to the logs that share them; the table goes on with copies.
    private void Detach()
    {
        history = null;
        pages = (long[])pages.Clone();
        adj = (short[])adj.Clone();
        flags = (byte[])flags.Clone();
        tasks = (OomTask[])tasks.Clone();
        rss = (long[])rss.Clone();
        swap = (long[])swap.Clone();
        pgtables = (long[])pgtables.Clone();
        reasons = (byte[])reasons.Clone();
    }

    /// <summary>
    /// Follows the changes recorded since the table's stamp, when they lead without a gap to the version now: the
    /// row of a task that left is taken out, the rows of the tasks touched are made again from the objects, and so
    /// are the rows reading an mm whose MMF_OOM_SKIP moved (when the table can find them all: an mm of one process,
    /// and the earlier victims naming it as their oom_mm, found by their flags). False, and the table void, otherwise.
    /// </summary>
    private bool CatchUp(OomMachine m)
    {
        var entries = m.ScoreChanges.Entries;
        long now = ScoreVersion.Current;
        int from = entries.Count - 1;
        while (from >= 0 && entries[from].Before != version) from--;
        if (from < 0) return false;
        long v = version;
        for (int k = from; k < entries.Count; k++)
        {
            if (entries[k].Before != v || entries[k].Opaque) return false;
            v = entries[k].After;
        }
        if (v != now) return false;

        var killer = m.Killer;
        version = 0;
        var touched = new List<OomTask>();
        var skipChanged = new List<MemoryDescriptor>();
        for (int k = from; k < entries.Count; k++)
        {
            var e = entries[k];
            if (e.Removed is { } gone)
            {
                int i = e.RemovedIndex;
                if (i < 0 || i >= count || !ReferenceEquals(tasks[i], gone)) return false;
                // The exit was followed only for an mm of its own (Exit/TaskExit): counted once in the sum, by this row.
                if (swapUsed is { } sum) swapUsed = sum - swap[i];
                RemoveRow(i);
            }
            touched.AddRange(e.Tasks);
            skipChanged.AddRange(e.SkipChanged);
        }
        var list = (List<OomTask>)m.Tasks;
        if (count != list.Count) return false;
        int hint = 0;
        foreach (var t in touched)
        {
            int i = IndexOf(t, hint);
            if (i < 0) continue; // it left
            if (!Fill(killer, i, t)) return false;
            hint = i;
        }
        foreach (var mm in skipChanged)
        {
            // The rows reading the mm through task->mm: one process at most, and that one touched or gone.
            if (mm.processes > 1) return false;
            if (mm.processes == 1 && !touched.Exists(t => ReferenceEquals(t.Mm, mm))) return false;
            // Through signal->oom_mm: only earlier victims, which the flags mark.
            for (int i = 0; i < count; i++)
                if ((flags[i] & Victim) != 0 && ReferenceEquals(tasks[i].OomMm, mm) && !Fill(killer, i, tasks[i])) return false;
        }
        version = now;
        return true;
    }

    [MethodImpl(Hot)]
    private int IndexOf(OomTask t, int hint)
    {
        for (int i = hint; i < count; i++) if (ReferenceEquals(tasks[i], t)) return i;
        for (int i = 0; i < hint && i < count; i++) if (ReferenceEquals(tasks[i], t)) return i;
        return -1;
    }

    private void RemoveRow(int i)
    {
        Keep(RowHistory.Remove, i);
        int rest = count - i - 1;
        Array.Copy(pages, i + 1, pages, i, rest);
        Array.Copy(adj, i + 1, adj, i, rest);
        Array.Copy(flags, i + 1, flags, i, rest);
        Array.Copy(tasks, i + 1, tasks, i, rest);
        Array.Copy(rss, i + 1, rss, i, rest);
        Array.Copy(swap, i + 1, swap, i, rest);
        Array.Copy(pgtables, i + 1, pgtables, i, rest);
        Array.Copy(reasons, i + 1, reasons, i, rest);
        count--;
        if (history is not null) history.Rows = count;
        // The freed last row becomes a sentinel the scans pass over (they run to the arrays' length).
        tasks[count] = null!;
        pages[count] = long.MinValue;
        flags[count] = 0;
        adj[count] = 0;
    }

    /// <summary>
    /// show_mem's swap in use (MM_SWAPENTS of every distinct mm) when the table is current and has kept it; null
    /// otherwise (the caller sums the mms).
    /// </summary>
    internal long? SwapUsed(OomMachine m) => IsCurrent(m) ? swapUsed : null;

    /// <summary>
    /// For dump_tasks over every process (an unconstrained global OOM, the table current): how many rows it prints
    /// (every task but init, kernel threads and those without an mm) and the index from which the last
    /// <paramref name="keep"/> of them start. The rows before that index would leave a ring of <paramref name="keep"/>
    /// records before anyone could read them.
    /// </summary>
    [MethodImpl(Hot)]
    internal int DumpRows(int keep, out int start)
    {
        int printed = 0;
        start = 0;
        for (int i = count - 1; i >= 0; i--)
        {
            if (!Dumped(reasons[i])) continue;
            if (++printed == keep) start = i;
        }
        return printed;
    }

    private static bool Dumped(byte why)
    {
        var reason = (OomSkipReason)(why & ~RootBit);
        return reason is not (OomSkipReason.GlobalInit or OomSkipReason.KernelThread or OomSkipReason.NoMm);
    }

    /// <summary>
    /// The rows as they are now, for a candidate log to read later: the arrays themselves and the point reached in
    /// their history, from which the table keeps every row it writes after as it was (<see cref="Rows.Snapshot"/>).
    /// </summary>
    internal Rows Share()
    {
        history ??= new RowHistory { Rows = count };
        return new Rows(tasks, pages, adj, flags, reasons, rss, swap, pgtables, history, history.Changes.Count);
    }

    /// <summary>The rows a candidate log recorded (<see cref="Share"/>): the arrays, and how far their history had got.</summary>
    internal readonly struct Rows
    {
        internal Rows(OomTask[] tasks, long[] pages, short[] adj, byte[] flags, byte[] reasons, long[] rss, long[] swap, long[] pgtables,
            RowHistory history, int from)
        {
            this.tasks = tasks; this.pages = pages; this.adj = adj; this.flags = flags; this.reasons = reasons;
            this.rss = rss; this.swap = swap; this.pgtables = pgtables; this.history = history; this.from = from;
        }

        private readonly OomTask[] tasks;
        private readonly long[] pages, rss, swap, pgtables;
        private readonly short[] adj;
        private readonly byte[] flags, reasons;
        private readonly RowHistory history;
        private readonly int from;

        /// <summary>
        /// The rows as they were when shared: the arrays now, with every change kept since undone, newest first (a row
        /// written is put back, a row taken out is put back in its place). Read under the machine's lock.
        /// </summary>
        internal List<RowHistory.Row> Snapshot()
        {
            var rows = new List<RowHistory.Row>(history.Rows + history.Changes.Count - from);
            for (int i = 0; i < history.Rows; i++)
                rows.Add(new RowHistory.Row(tasks[i], pages[i], adj[i], flags[i], reasons[i], rss[i], swap[i], pgtables[i]));
            for (int c = history.Changes.Count - 1; c >= from; c--)
            {
                var change = history.Changes[c];
                if (change.Kind == RowHistory.Remove) rows.Insert(change.Index, change.Old);
                else rows[change.Index] = change.Old;
            }
            return rows;
        }

        /// <summary>
        /// Row <paramref name="i"/> of a <see cref="Snapshot"/> as the task-by-task scan records it (OomEvaluateTask):
        /// passed over as init or a kernel thread (reason only), as an earlier victim (unless <paramref name="sysrq"/>),
        /// or weighed; its /proc oom_score against <paramref name="globalPages"/> under <paramref name="scoring"/>.
        /// </summary>
        internal static CandidateRecord Record(in RowHistory.Row row, int i, bool sysrq, long globalPages, Kernels.KernelRules scoring)
        {
            var reason = (OomSkipReason)(row.Reason & ~RootBit);
            if (reason is OomSkipReason.GlobalInit or OomSkipReason.KernelThread)
                return new CandidateRecord { Task = row.Task, Order = i, Reason = reason };
            bool root = (row.Reason & RootBit) != 0;
            var r = new CandidateRecord
            {
                Task = row.Task, Order = i, Described = true, OomScoreAdj = row.Adj, IsRoot = root,
                RssPages = row.Rss, SwapPages = row.Swap, PageTablePages = row.Pgtables,
            };
            long badness = reason == OomSkipReason.None ? scoring.Badness(row.Pages, row.Adj, globalPages, root) : long.MinValue;
            r.OomScore = badness == long.MinValue ? 0 : scoring.ProcOomScore(badness, globalPages);
            byte f = row.Flags;
            if (!sysrq && (f & Victim) != 0) r.Reason = (f & VictimExiting) != 0 ? OomSkipReason.VictimExiting : OomSkipReason.ReapedVictim;
            else if ((f & Origin) != 0)
            {
                r.Scored = true;
                r.Origin = true;
            }
            else
            {
                r.Reason = reason;
                r.Scored = reason == OomSkipReason.None;
            }
            return r;
        }
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

    private ulong[] Nodes(OomMachine m, ulong[]? reuse, Func<OomTask, ulong> of, out long stamp)
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
