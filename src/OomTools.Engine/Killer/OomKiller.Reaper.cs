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
    /// <c>oom_reap_task()</c>: up to MAX_OOM_REAP_RETRIES attempts, HZ/10 apart; gives up with
    /// <c>oom_reaper: unable to reap pid:N (comm)</c>. Either way the mm ends MMF_OOM_SKIP, so the next OOM moves
    /// on. Simulated time does not pass between the attempts here, so a lock that is held stays held.
    /// </summary>
    public void OomReapTask(OomTask tsk)
    {
        var mm = tsk.OomMm!;
        int attempts = 0;
        while (attempts++ < MaxOomReapRetries && !OomReapTaskMm(tsk, mm)) { }
        if (attempts > MaxOomReapRetries && (mm.Flags & MmFlags.OomSkip) == 0)
            m.Log.Info($"oom_reaper: unable to reap pid:{tsk.Pid} ({tsk.Comm})");
        mm.Flags |= MmFlags.OomSkip;
    }

    /// <summary>
    /// <c>oom_reaper()</c> thread and its timers, run up to the clock's current jiffies: every queued victim whose
    /// OOM_REAPER_DELAY has passed is woken (in task-list order), then the reaper pops and reaps the list.
    /// Returns the tasks it reaped or gave up on.
    /// </summary>
    public IReadOnlyList<OomTask> RunOomReaper()
    {
        long now = m.Jiffies;
        foreach (var t in m.Tasks)
            if (t.ReaperTimerExpires is { } due && now >= due) WakeOomReaper(t);
        var done = new List<OomTask>();
        while (oomReaperList.Count > 0)
        {
            var tsk = oomReaperList.Pop();
            OomReapTask(tsk);
            done.Add(tsk);
        }
        return done;
    }

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
