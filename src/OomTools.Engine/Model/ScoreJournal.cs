using System.Collections.Generic;

namespace OomTools.Engine.Model;

/// <summary>
/// What the few changes that mark or remove a handful of tasks did to a machine (an OOM's kill marks, their undo after
/// a what-if, an exit), each recorded with the machine's <see cref="ScoreVersion"/> stamp before and after it, so
/// that the killer's score table can be kept in step — those tasks' rows updated, a removed task's row taken out — instead of being
/// rebuilt from every task. A change is recorded between <see cref="Begin"/> and <see cref="End"/>, which the code
/// making it calls under the machine's lock; the tasks it touches are named with <see cref="Touch"/> before they
/// change. The table trusts an entry only when its "before" is the version the table was stamped with and its
/// "after" leads, entry by entry, to the version now: any change made outside an entry breaks the chain and the table
/// is built again. Inside an entry, only the code recording it changes this machine (the lock), and whatever else
/// it changes (the counters, the queue, the log) is not read by the scan.
/// </summary>
internal sealed class ScoreJournal
{
    // Enough for the changes between two scans of a storm or a what-if; an older entry is of no use to a table.
    private const int Kept = 32;

    /// <summary>One recorded change.</summary>
    internal sealed class Entry
    {
        /// <summary>The version before and after the change.</summary>
        internal VersionStamp Before, After;
        /// <summary>The tasks whose rows may have changed (each once), in the order touched.</summary>
        internal readonly List<OomTask> Tasks = new();
        /// <summary>The mms whose MMF_OOM_SKIP the change turned on or off (every row reading them may have changed).</summary>
        internal readonly List<MemoryDescriptor> SkipChanged = new();
        /// <summary>The task taken off the task list and its index there when it left; null when none.</summary>
        internal OomTask? Removed;
        internal int RemovedIndex = -1;
        /// <summary>The change did something the table cannot follow row by row: it is built again.</summary>
        internal bool Opaque;
        // The mms the tasks had when touched, with their flags then (to find an MMF_OOM_SKIP that moved).
        internal readonly List<(MemoryDescriptor Mm, MmFlags Flags)> Mms = new();
        // Filled only once the entry names more than a few objects: until then the lists are searched (an OOM names
        // two or three, and a set hashed each new object the first time, a runtime call for every task a copy kills).
        internal readonly HashSet<object> Seen = new();

        /// <summary>Whether <paramref name="o"/> (a task or an mm) is named for the first time, remembering it.</summary>
        internal bool FirstTime(object o)
        {
            const int Few = 8;
            if (Seen.Count == 0)
            {
                foreach (var t in Tasks) if (ReferenceEquals(t, o)) return false;
                foreach (var (mm, _) in Mms) if (ReferenceEquals(mm, o)) return false;
                // Tasks and Mms hold every object named so far: o is new. The set takes over past a few.
                if (Tasks.Count + Mms.Count + 1 < Few) return true;
                foreach (var t in Tasks) Seen.Add(t);
                foreach (var (mm, _) in Mms) Seen.Add(mm);
            }
            return Seen.Add(o);
        }
    }

    private readonly OomMachine machine;
    private readonly List<Entry> entries = new();
    private Entry? open;
    // An entry no longer kept (dropped as the oldest, or a change that changed nothing), cleared for the next change:
    // an audit's run records one or two changes an OOM, hundreds of OOMs, and each entry is five collections.
    private Entry? spare;
    private int depth;

    /// <summary>The journal of <paramref name="machine"/>.</summary>
    internal ScoreJournal(OomMachine machine) => this.machine = machine;

    /// <summary>The recorded changes, oldest first (at most the last 32).</summary>
    internal IReadOnlyList<Entry> Entries => entries;

    /// <summary>Starts recording a change (nested calls join the outer one).</summary>
    internal void Begin()
    {
        if (depth++ > 0) return;
        var e = spare ?? new Entry();
        spare = null;
        e.Before = ScoreVersion.Observe(machine);
        open = e;
    }

    /// <summary>Names a task about to change (its kill marks, its oom_mm, its mm's flags); nothing outside a change.</summary>
    internal void Touch(OomTask task)
    {
        var e = open;
        if (e is null || !e.FirstTime(task)) return;
        e.Tasks.Add(task);
        Remember(e, task.Mm);
        Remember(e, task.OomMm);
    }

    /// <summary>The task about to be taken off the task list, at <paramref name="index"/> there.</summary>
    internal void Removing(OomTask task, int index)
    {
        var e = open;
        if (e is null) return;
        if (e.Removed is not null) e.Opaque = true;
        e.Removed = task;
        e.RemovedIndex = index;
        Touch(task);
    }

    /// <summary>The change does something a row-by-row update cannot follow (the table is built again).</summary>
    internal void MakeOpaque()
    {
        if (open is { } e) e.Opaque = true;
    }

    private static void Remember(Entry e, MemoryDescriptor? mm)
    {
        if (mm is not null && e.FirstTime(mm)) e.Mms.Add((mm, mm.Flags));
    }

    /// <summary>Ends the change begun by the matching <see cref="Begin"/> and keeps it when it changed anything.</summary>
    internal void End()
    {
        if (depth == 0 || --depth > 0) return;
        var e = open!;
        open = null;
        e.After = ScoreVersion.Observe(machine);
        if (e.After == e.Before)
        {
            Recycle(e);
            return;
        }
        foreach (var (mm, flags) in e.Mms)
            if (((mm.Flags ^ flags) & MmFlags.OomSkip) != 0) e.SkipChanged.Add(mm);
        e.Mms.Clear();
        e.Seen.Clear();
        if (entries.Count == Kept)
        {
            Recycle(entries[0]);
            entries.RemoveAt(0);
        }
        entries.Add(e);
    }

    // Kept for the next change, emptied (the tables read only the entries in the list).
    private void Recycle(Entry e)
    {
        e.Tasks.Clear();
        e.SkipChanged.Clear();
        e.Mms.Clear();
        e.Seen.Clear();
        e.Removed = null;
        e.RemovedIndex = -1;
        e.Opaque = false;
        e.Before = e.After = default;
        spare = e;
    }
}
