using System;
using System.Collections.Generic;
using OomTools.Engine.Log;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    private OomUndoLog? undo;
    // A task was marked during the what-if with this machine not the ambient one (an OOM handed another machine's
    // task, say): the undo may change that task too, so it runs with no ambient machine.
    private bool undoUnscoped;

    /// <summary>
    /// A what-if (what <c>Invoke-OutOfMemory -WhatIf</c> and a report's replay under -WhatIf answer): runs
    /// <paramref name="decide"/> on this machine under its lock, then puts the machine back as it was, without
    /// copying it. <paramref name="decide"/> may run OOM decisions (out_of_memory, oom_kill_process and what they
    /// call: the scan, the report, kill marks, the counters, the queued exits and oom_reaper timers); what they
    /// change is undone afterwards — the tasks and mms they mark through an undo log, the machine-wide state
    /// (counters, queue, rate limits, the memory cgroups' event counters) from a copy taken before. The log lines
    /// it prints go to a log of their own, which the result keeps (an <c>OomOutcome</c>'s <c>Log</c>), so the
    /// machine's log is untouched. Exits, reaping, task changes and removals are not undone: run those on a
    /// <see cref="Clone"/>. A what-if inside a what-if runs on a clone.
    /// </summary>
    public T WhatIf<T>(Func<OomMachine, T> decide)
    {
        if (decide is null) throw new ArgumentNullException(nameof(decide));
        lock (syncRoot)
        {
            if (undo is not null) return decide(Clone());
            var saved = new SavedState(this);
            undo = new OomUndoLog();
            undoUnscoped = false;
            Log = WhatIfLog(saved.Log.Capacity);
            try
            {
                return decide(this);
            }
            finally
            {
                // The undo touches only the tasks the decision marked: recorded, so the score table follows it.
                using var scope = undoUnscoped ? AmbientMachine.Suspend() : AmbientMachine.Enter(this);
                ScoreChanges.Begin();
                try
                {
                    undo.Rollback(ScoreChanges);
                }
                finally
                {
                    ScoreChanges.End();
                    undo = null;
                    saved.Restore(this);
                }
            }
        }
    }

    // The log a what-if writes to, kept for the next one: its lines leave it only as copies (an outcome's Log), and a
    // new log each time grew a ring of up to 32,768 records again, a large allocation a call.
    private KernelLog? whatIfLog;

    private KernelLog WhatIfLog(int capacity)
    {
        if (whatIfLog is null || !whatIfLog.Uses(Clock)) whatIfLog = new KernelLog(Clock) { Capacity = capacity };
        else whatIfLog.Reset(capacity);
        return whatIfLog;
    }

    /// <summary>
    /// Called by the OOM killer's functions before they mark <paramref name="task"/> or change its mm's flags
    /// (<c>mark_oom_victim</c>, the SIGKILL, <c>queue_oom_reaper</c>): during a <see cref="WhatIf{T}"/> the task's
    /// state is saved to be put back. Inside a recorded change (<see cref="ScoreChanges"/>) the task is named there too.
    /// </summary>
    internal void BeforeOomChange(OomTask task)
    {
        if (undo is not null)
        {
            undo.Save(task);
            if (!ReferenceEquals(AmbientMachine.Current, this)) undoUnscoped = true;
        }
        ScoreChanges.Touch(task);
    }

    /// <summary>The machine-wide state an OOM decision can change, taken whole before a what-if (it is small).</summary>
    private sealed class SavedState
    {
        private readonly Pages? usedPages;
        private readonly string? panicMessage;
        private readonly int oomVictims;
        private readonly long oomKillCount;
        private readonly long? vmstatOomKill;
        private readonly bool oomAdjDeprecationWarned;
        private readonly Kernels.KernelRules scoring;
        private readonly RateLimit oomKillRateLimit, pagefaultRateLimit;
        private readonly OomReaperThread? reaper;
        private readonly OomTask[]? reaperList;
        private readonly OomTask? reaperBusyWith;
        private readonly List<Pending> pending;
        private readonly long pendingNextSeq;
        private readonly List<(MemoryCgroup Cg, long OomKill, long OomGroupKill, long Oom)> memcgEvents = new();
        public KernelLog Log { get; }

        public SavedState(OomMachine m)
        {
            usedPages = m.UsedPages;
            panicMessage = m.PanicMessage;
            oomVictims = m.OomVictims;
            oomKillCount = m.OomKillCount;
            vmstatOomKill = m.VmstatOomKill;
            oomAdjDeprecationWarned = m.OomAdjDeprecationWarned;
            scoring = m.Scoring;
            oomKillRateLimit = m.OomKillRateLimit.Clone();
            pagefaultRateLimit = m.PagefaultRateLimit.Clone();
            reaper = m.OomReaperThread;
            reaperList = reaper?.List.ToArray();
            reaperBusyWith = reaper?.BusyWith;
            pending = new List<Pending>(m.Pending.Items);
            pendingNextSeq = m.Pending.NextSeq;
            foreach (var cg in m.RootMemcg.SubtreePreOrder()) memcgEvents.Add((cg, cg.OomKillEvents, cg.OomGroupKillEvents, cg.Oom));
            Log = m.Log;
        }

        public void Restore(OomMachine m)
        {
            m.UsedPages = usedPages;
            m.PanicMessage = panicMessage;
            m.OomVictims = oomVictims;
            m.OomKillCount = oomKillCount;
            m.VmstatOomKill = vmstatOomKill;
            m.OomAdjDeprecationWarned = oomAdjDeprecationWarned;
            m.Scoring = scoring;
            m.OomKillRateLimit = oomKillRateLimit;
            m.PagefaultRateLimit = pagefaultRateLimit;
            m.OomReaperThread = reaper;
            if (reaper is not null)
            {
                reaper.List.Clear();
                for (int i = reaperList!.Length - 1; i >= 0; i--) reaper.List.Push(reaperList[i]);
                reaper.BusyWith = reaperBusyWith;
            }
            m.Pending.Restore(pending, pendingNextSeq);
            foreach (var (cg, oomKill, oomGroupKill, oom) in memcgEvents)
            {
                cg.OomKillEvents = oomKill;
                cg.OomGroupKillEvents = oomGroupKill;
                cg.Oom = oom;
            }
            m.Log = Log;
        }
    }
}
