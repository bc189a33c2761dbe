using System.Collections.Generic;
using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary><c>MAX_OOM_REAP_RETRIES</c>.</summary>
    public const int MaxOomReapRetries = 10;

    // oom_reaper_list: a LIFO chain the timer pushes onto and the reaper thread pops from.
    private readonly Stack<OomTask> oomReaperList = new();

    /// <summary>Tasks whose reaper timer has fired and that wait for the oom_reaper thread (newest first).</summary>
    public IReadOnlyCollection<OomTask> OomReaperList => oomReaperList;

    /// <summary>
    /// <c>wake_oom_reaper()</c>, the timer callback: a victim that managed to exit on its own (MMF_OOM_SKIP) is
    /// dropped; otherwise it goes on the front of the reaper list.
    /// </summary>
    public void WakeOomReaper(OomTask tsk)
    {
        tsk.ReaperTimerExpires = null;
        var mm = tsk.OomMm;
        if (mm is null || (mm.Flags & MmFlags.OomSkip) != 0) return;
        oomReaperList.Push(tsk);
    }

    /// <summary>
    /// <c>oom_reap_task_mm()</c>: one attempt. Fails (false) when <c>mmap_read_trylock</c> cannot get the lock;
    /// does nothing for an mm that exit_mmap already marked MMF_OOM_SKIP; otherwise reaps and prints
    /// <c>oom_reaper: reaped process ...</c> unless the reap was partial.
    /// </summary>
    public bool OomReapTaskMm(OomTask tsk, MemoryDescriptor mm)
    {
        if (mm.IsMmapLockHeld(m.Jiffies)) return false;
        if ((mm.Flags & MmFlags.OomSkip) != 0) return true;
        if (!DoOomReapTaskMm(mm)) return false;
        long k = m.PageSize / 1024;
        m.Log.Info($"oom_reaper: reaped process {tsk.Pid} ({tsk.Comm}), now anon-rss:{mm.anon * k}kB, file-rss:{mm.file * k}kB, shmem-rss:{mm.shmem * k}kB");
        return true;
    }

    /// <summary>
    /// <c>oom_reaper()</c>: lets the reaper thread do what is due — the timeline is run up to now (timers that
    /// passed fire) and then on, in simulated time, for as long as the reaper is busy with its HZ/10 retries.
    /// Returns the victims whose reaping ended (reaped, or given up on) in this call. The loop itself is
    /// <c>oom_reap_task()</c> in the timeline (<see cref="StepToNextEvent"/>).
    /// </summary>
    public IReadOnlyList<OomTask> RunOomReaper()
    {
        int start = reaperFinished.Count;
        Step(m.Jiffies);
        while (reaping is not null && StepToNextEvent()) { }
        return reaperFinished.GetRange(start, reaperFinished.Count - start);
    }

    // Every victim the reaper thread has finished with, in order.
    private readonly List<OomTask> reaperFinished = new();

    internal void CopyReaperList(OomKiller from, Dictionary<OomTask, OomTask> map)
    {
        var items = from.oomReaperList.ToArray();
        for (int i = items.Length - 1; i >= 0; i--)
            if (map.TryGetValue(items[i], out var twin)) oomReaperList.Push(twin);
    }

    /// <summary><c>register_oom_notifier()</c>: called on every global OOM; returns the pages it freed.</summary>
    public void RegisterOomNotifier(System.Func<long> notifier) => m.OomNotifiers.Add(notifier);

    /// <summary><c>unregister_oom_notifier()</c>.</summary>
    public bool UnregisterOomNotifier(System.Func<long> notifier) => m.OomNotifiers.Remove(notifier);
}
