using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>The score table following the recorded changes (<see cref="ScoreJournal"/>) row by row, and handing its arrays over to the logs that share them.</summary>
internal sealed partial class ScoreTable
{
    // The tasks and mms the changes being followed touched: kept for the next catch-up (one an OOM in a kill order).
    private readonly List<OomTask> touched = new();
    private readonly List<MemoryDescriptor> skipChanged = new();

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
        var now = ScoreVersion.Current(m);
        int from = entries.Count - 1;
        while (from >= 0 && entries[from].Before != version) from--;
        if (from < 0) return false;
        var v = version;
        for (int k = from; k < entries.Count; k++)
        {
            if (entries[k].Before != v || entries[k].Opaque) return false;
            v = entries[k].After;
        }
        if (v != now) return false;

        var killer = m.Killer;
        version = default;
        var touched = this.touched;
        var skipChanged = this.skipChanged;
        touched.Clear();
        skipChanged.Clear();
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
            if (mm.processes == 1 && !AnyUses(touched, mm)) return false;
            // Through signal->oom_mm: only earlier victims, which the flags mark.
            for (int i = 0; i < count; i++)
                if ((flags[i] & Victim) != 0 && ReferenceEquals(tasks[i].OomMm, mm) && !Fill(killer, i, tasks[i])) return false;
        }
        touched.Clear();
        skipChanged.Clear();
        version = now;
        return true;
    }

    // Whether one of the tasks has mm as its task->mm (a loop, not a lambda: a kill order calls it at every kill).
    private static bool AnyUses(List<OomTask> tasks, MemoryDescriptor mm)
    {
        foreach (var t in tasks) if (ReferenceEquals(t.Mm, mm)) return true;
        return false;
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
}
