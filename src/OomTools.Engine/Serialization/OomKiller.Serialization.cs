using System;
using System.Collections.Generic;
using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary>Refills <c>oom_reaper_list</c> with <paramref name="newestFirst"/> (as <see cref="OomReaperList"/> lists it).</summary>
    internal void RestoreReaperList(IReadOnlyList<OomTask> newestFirst)
    {
        oomReaperList.Clear();
        for (int i = newestFirst.Count - 1; i >= 0; i--) oomReaperList.Push(newestFirst[i]);
    }

    /// <summary>One thing due on the timeline, for the machine document.</summary>
    internal readonly struct PendingItem
    {
        public PendingItem(long at, long seq, string kind, OomTask task, int attempt)
        {
            At = at; Seq = seq; Kind = kind; Task = task; Attempt = attempt;
        }

        public long At { get; }
        public long Seq { get; }
        public string Kind { get; }
        public OomTask Task { get; }
        public int Attempt { get; }
    }

    /// <summary>The names a pending item's kind may have.</summary>
    internal static string[] PendingKindNames => Enum.GetNames(typeof(PendingKind));

    /// <summary>What is due, in order (items of processes that already left the task list are left out, as Clone does).</summary>
    internal List<PendingItem> ExportTimeline(out long nextSeq, out OomTask? busyWith)
    {
        var items = new List<PendingItem>();
        foreach (var p in pending)
            if (ReferenceEquals(m.FindTask(p.Task.Pid), p.Task))
                items.Add(new PendingItem(p.At, p.Seq, p.Kind.ToString(), p.Task, p.Attempt));
        nextSeq = seq;
        busyWith = reaping is not null && ReferenceEquals(m.FindTask(reaping.Pid), reaping) ? reaping : null;
        return items;
    }

    /// <summary>Puts a timeline back; false when a kind is unknown (nothing is changed then).</summary>
    internal bool RestoreTimeline(IReadOnlyList<PendingItem> items, long nextSeq, OomTask? busyWith)
    {
        var restored = new List<Pending>(items.Count);
        foreach (var i in items)
        {
            if (!Enum.TryParse<PendingKind>(i.Kind, ignoreCase: false, out var kind) || !Enum.IsDefined(typeof(PendingKind), kind)) return false;
            restored.Add(new Pending { At = i.At, Seq = i.Seq, Kind = kind, Task = i.Task, Attempt = i.Attempt });
        }
        pending.Clear();
        pending.AddRange(restored);
        seq = nextSeq;
        reaping = busyWith;
        return true;
    }
}
