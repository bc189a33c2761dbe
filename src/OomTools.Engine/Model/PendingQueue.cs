using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// The timers and exits queued on a machine, earliest first (what falls due at the same jiffy runs in the order
/// it was queued). Only data: the timeline runner takes items off and runs them.
/// </summary>
internal sealed class PendingQueue
{
    private readonly List<Pending> items = new();

    /// <summary>The sequence number the next item gets.</summary>
    public long NextSeq { get; private set; }

    public int Count => items.Count;

    /// <summary>Everything due, in order.</summary>
    public IReadOnlyList<Pending> Items => items;

    /// <summary>The jiffy of the earliest item; null when nothing is due.</summary>
    public Jiffies? FirstAt => items.Count > 0 ? items[0].At : null;

    public void Schedule(Jiffies at, PendingKind kind, OomTask task, int attempt = 0)
    {
        var p = new Pending(at, NextSeq++, kind, task, attempt);
        int i = items.Count;
        while (i > 0 && items[i - 1].At > at) i--;
        items.Insert(i, p);
    }

    /// <summary>Takes the earliest item off the queue.</summary>
    public Pending TakeFirst()
    {
        var p = items[0];
        items.RemoveAt(0);
        return p;
    }

    /// <summary>Whether an exit is already due for <paramref name="task"/>.</summary>
    public bool HasExitFor(OomTask task)
    {
        foreach (var p in items)
            if (p.Kind == PendingKind.Exit && ReferenceEquals(p.Task, task)) return true;
        return false;
    }

    /// <summary>
    /// Drops every item of <paramref name="task"/> (its exit, its reaper timer): for a kill order's copy, whose clock
    /// never moves, so nothing queued on it ever falls due, and whose victims exit at once. The newest items are
    /// searched first: they are the last kill's.
    /// </summary>
    public void Forget(OomTask task)
    {
        for (int i = items.Count - 1; i >= 0; i--)
            if (ReferenceEquals(items[i].Task, task)) items.RemoveAt(i);
    }

    /// <summary>A copy for a cloned machine: items of tasks that have no twin (they already exited) are dropped.</summary>
    public PendingQueue CloneMapped(TaskTwins map)
    {
        var copy = new PendingQueue { NextSeq = NextSeq };
        foreach (var p in items)
            if (map.TryGetValue(p.Task, out var twin)) copy.items.Add(new Pending(p.At, p.Seq, p.Kind, twin, p.Attempt));
        return copy;
    }

    /// <summary>Replaces the queue with <paramref name="restored"/> (already in order), as a machine document had it.</summary>
    public void Restore(IEnumerable<Pending> restored, long nextSeq)
    {
        items.Clear();
        items.AddRange(restored);
        NextSeq = nextSeq;
    }
}
