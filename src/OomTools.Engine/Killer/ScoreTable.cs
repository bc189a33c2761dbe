using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>
/// What select_bad_process reads of each task, in task-list order, as three parallel arrays (11 bytes a task):
/// oom_badness's sum of pages (LONG_MIN when oom_badness or oom_unkillable_task rules the task out), the
/// oom_score_adj, and the rare cases oom_evaluate_task decides before scoring (an earlier victim, reaped or still
/// exiting; an oom_task_origin task). Walking these instead of the task and mm objects (a few hundred bytes a task,
/// out of cache on a big machine) is what makes the scan as fast as a plain loop. The table is a copy, stamped with
/// <see cref="ScoreVersion"/> (the process-wide counter and its machine's), and trusted only while no setter the scan
/// depends on has run since.
/// </summary>
internal sealed partial class ScoreTable
{
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
    private VersionStamp version, slowSeen, declined;
    private long pageSize;
    // The tasks' nodes for oom_cpuset_eligible, made the first time a constrained scan asks (most never do), each
    // stamped with the version it was read at: MPOL_BIND nodes (every node without a policy), cpuset mems.
    private ulong[]? binds, mems;
    private VersionStamp bindsVersion, memsVersion;

    private ScoreTable() { }

    /// <summary>The table of <paramref name="machine"/> (empty until first built; it lives as long as the machine).</summary>
    internal static ScoreTable For(OomMachine machine)
    {
        if (Volatile.Read(ref machine.ScoreTableSlot) is ScoreTable table) return table;
        // One table a machine, even when two threads ask first at once.
        var made = new ScoreTable();
        return Interlocked.CompareExchange(ref machine.ScoreTableSlot, made, null) as ScoreTable ?? made;
    }

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
        if (version.IsNone || pageSize != m.PageSize) return false;
        if (version != ScoreVersion.Current(m) && !CatchUp(m)) return false;
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
        var seen = ScoreVersion.Observe(m);
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
    private bool Build(OomKiller killer, OomMachine m, VersionStamp stamp)
    {
        var list = (List<OomTask>)m.Tasks;
        int n = list.Count;
        version = default;
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
}
