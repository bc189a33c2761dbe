using System.Collections.Generic;
using System.Runtime.CompilerServices;
using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>What the score table's rows give others: show_mem's swap, dump_tasks' row count, and the rows shared with candidate logs.</summary>
internal sealed partial class ScoreTable
{
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
}
