using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// The undo log of a what-if OOM (<see cref="OomMachine.WhatIf{T}"/>): what one out_of_memory call is about to
/// change in a task or its mm — the kill marks (SIGNAL_GROUP_EXIT, TIF_MEMDIE, <c>signal-&gt;oom_mm</c>, the
/// freezer's thaw), the oom_reaper's timer and the mm's MMF_ flags — saved the first time each object is touched,
/// and put back, newest first, when the what-if ends. The killer's functions that mark a task call
/// <see cref="OomMachine.BeforeOomChange"/> first; the machine-wide counters, the queue, the rate limits, the
/// memory cgroups' event counters and the log are saved whole by the what-if itself (they are small).
/// </summary>
internal sealed class OomUndoLog
{
    private readonly struct TaskState
    {
        public TaskState(OomTask t)
        {
            Task = t; GroupExiting = t.GroupExiting; MemDie = t.MemDie; OomMm = t.OomMm; Frozen = t.Frozen; ReaperTimer = t.ReaperTimer;
        }
        public OomTask Task { get; }
        public bool GroupExiting { get; }
        public bool MemDie { get; }
        public MemoryDescriptor? OomMm { get; }
        public bool Frozen { get; }
        public Jiffies? ReaperTimer { get; }
    }

    private readonly List<TaskState> tasks = new();
    private readonly List<(MemoryDescriptor Mm, MmFlags Flags)> mms = new();
    // Neither type overrides Equals: the set compares references.
    private readonly HashSet<object> saved = new();

    /// <summary>Saves <paramref name="t"/>'s kill marks and its mms' flags, once.</summary>
    public void Save(OomTask t)
    {
        if (!saved.Add(t)) return;
        tasks.Add(new TaskState(t));
        Save(t.Mm);
        Save(t.OomMm);
    }

    private void Save(MemoryDescriptor? mm)
    {
        if (mm is null || !saved.Add(mm)) return;
        mms.Add((mm, mm.Flags));
    }

    /// <summary>Puts back everything saved, newest first, naming each task in <paramref name="changes"/> before it changes.</summary>
    public void Rollback(ScoreJournal changes)
    {
        foreach (var s in tasks) changes.Touch(s.Task);
        for (int i = mms.Count - 1; i >= 0; i--) mms[i].Mm.Flags = mms[i].Flags;
        for (int i = tasks.Count - 1; i >= 0; i--)
        {
            var s = tasks[i];
            s.Task.GroupExiting = s.GroupExiting;
            s.Task.MemDie = s.MemDie;
            s.Task.OomMm = s.OomMm;
            s.Task.Frozen = s.Frozen;
            s.Task.ReaperTimer = s.ReaperTimer;
        }
    }
}
