using System.Collections.Generic;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary><c>MAX_OOM_REAP_RETRIES</c>.</summary>
    public const int MaxOomReapRetries = 10;

    /// <summary><c>OOM_REAPER_DELAY</c>: 2*HZ.</summary>
    public Jiffies OomReaperDelay => Jiffies.FromSeconds(2, m.Hz);

    // oom_reap_task sleeps HZ/10 between attempts (at least a tick, for an HZ under 10).
    private Jiffies OomReapRetrySleep => Jiffies.Max(new Jiffies(1), Jiffies.FromSeconds(1, m.Hz) / 10);

    /// <summary>
    /// <c>oom_init()</c>: at boot, starts the oom_reaper thread — idle, its list empty. (The vm sysctls it registers,
    /// <c>vm_oom_kill_table</c>, are the machine's <see cref="OomMachine.PanicOnOom"/>,
    /// <see cref="OomMachine.OomKillAllocatingTask"/> and <see cref="OomMachine.OomDumpTasks"/>.) A machine's thread
    /// is started the first time its killer needs it; calling this again changes nothing.
    /// </summary>
    public void OomInit() => m.OomReaperThread ??= new OomReaperThread();

    private OomReaperThread Reaper
    {
        get
        {
            OomInit();
            return m.OomReaperThread!;
        }
    }

    /// <summary><c>oom_reaper_list</c>: victims whose reaper timer has fired and that wait for the thread (newest first).</summary>
    public IReadOnlyCollection<OomTask> OomReaperList => (IReadOnlyCollection<OomTask>?)m.OomReaperThread?.List ?? System.Array.Empty<OomTask>();

    /// <summary>
    /// <c>queue_oom_reaper()</c>: once per mm (MMF_OOM_REAP_QUEUED), arm the victim's reaper timer
    /// OOM_REAPER_DELAY (2 s) from now — a timer queued on the machine's timeline.
    /// </summary>
    public void QueueOomReaper(OomTask tsk)
    {
        var mm = tsk.OomMm;
        if (mm is null || (mm.Flags & MmFlags.OomReapQueued) != 0) return;
        m.BeforeOomChange(tsk);
        mm.Flags |= MmFlags.OomReapQueued;
        var expires = m.Now + OomReaperDelay;
        tsk.ReaperTimer = expires;
        m.Pending.Schedule(expires, PendingKind.ReaperTimer, tsk);
    }

    /// <summary>
    /// <c>wake_oom_reaper()</c>, the timer callback: a victim that managed to exit on its own (MMF_OOM_SKIP) is
    /// dropped (false); otherwise it goes on the front of the reaper list (true).
    /// </summary>
    public bool WakeOomReaper(OomTask tsk)
    {
        tsk.ReaperTimer = null;
        var mm = tsk.OomMm;
        if (mm is null || (mm.Flags & MmFlags.OomSkip) != 0) return false;
        Reaper.List.Push(tsk);
        return true;
    }

    /// <summary>
    /// <c>oom_reaper()</c>, the thread's loop: when it is not between the retries of a victim and the list is not
    /// empty, it takes the newest victim and makes the first pass of <see cref="OomReapTask"/>. Returns that pass;
    /// null when the thread has nothing to start. Whoever runs time calls it again after each finished pass.
    /// </summary>
    public OomReapPass? OomReaper()
    {
        var thread = Reaper;
        if (thread.BusyWith is not null || thread.List.Count == 0) return null;
        thread.BusyWith = thread.List.Pop();
        return OomReapTask(thread.BusyWith, 1);
    }

    /// <summary>
    /// <c>oom_reap_task()</c>, one pass of its loop: try <see cref="OomReapTaskMm"/>; a failure sleeps HZ/10 (the
    /// next pass is queued on the timeline) and tries again; the pass after the MAX_OOM_REAP_RETRIES-th failure
    /// (attempt MAX + 1) prints <c>unable to reap</c>. Once done, the mm is MMF_OOM_SKIP either way and the thread is free.
    /// </summary>
    public OomReapPass OomReapTask(OomTask tsk, int attempt)
    {
        var mm = tsk.OomMm ?? throw new OomEngineException(OomError.InvalidState, $"Process {tsk} is no OOM victim (no oom_mm) to reap.", tsk.Pid);
        long before = ReapableHeld(mm);
        int logBefore = m.Log.Count;
        bool ok = attempt <= MaxOomReapRetries && OomReapTaskMm(tsk, mm);
        if (!ok && attempt <= MaxOomReapRetries)
        {
            var retry = new OomReapPass(tsk, attempt, OomReapPassResult.Retry, 0, mm.IsMmapLockHeld(m.Now), null);
            m.Pending.Schedule(m.Now + OomReapRetrySleep, PendingKind.ReaperAttempt, tsk, attempt + 1);
            return retry;
        }
        OomReapPass pass;
        if (!ok && (mm.Flags & MmFlags.OomSkip) == 0)
        {
            m.Log.OomReaperUnableToReap(tsk.Pid, tsk.Comm);
            pass = new OomReapPass(tsk, attempt, OomReapPassResult.UnableToReap, 0, false, m.Log.Last!.Text);
        }
        else if (m.Log.Count > logBefore)
            pass = new OomReapPass(tsk, attempt, OomReapPassResult.Reaped, before - ReapableHeld(mm), false, m.Log.Last!.Text);
        else
            pass = new OomReapPass(tsk, attempt, OomReapPassResult.NothingToReap, 0, false, null);
        // Hide the mm from the OOM killer: reaped, or someone holds mmap_lock for good.
        mm.Flags |= MmFlags.OomSkip;
        tsk.ReaperTimer = null;
        if (ReferenceEquals(m.OomReaperThread?.BusyWith, tsk)) m.OomReaperThread!.BusyWith = null;
        return pass;
    }

    /// <summary>
    /// <c>oom_reap_task_mm()</c>: one attempt. Fails (false) when <c>mmap_read_trylock</c> cannot get the lock;
    /// does nothing for an mm that exit_mmap already marked MMF_OOM_SKIP; otherwise reaps and prints
    /// <c>oom_reaper: reaped process ...</c> unless the reap was partial.
    /// </summary>
    public bool OomReapTaskMm(OomTask tsk, MemoryDescriptor mm)
    {
        if (mm.IsMmapLockHeld(m.Now)) return false;
        if ((mm.Flags & MmFlags.OomSkip) != 0) return true;
        if (!DoOomReapTaskMm(mm)) return false;
        m.Log.OomReaperReaped(tsk.Pid, tsk.Comm, m.K(mm.anon), m.K(mm.file), m.K(mm.shmem));
        return true;
    }

    /// <summary>
    /// <c>__oom_reap_task_mm()</c>: marks the mm MMF_UNSTABLE and unmaps every anonymous or private mapping —
    /// never hugetlb or pfnmap, and shared ones stay for exit. A mapping whose MMU notifier cannot run without
    /// blocking is skipped and makes the result false (partial). An mm modelled without VMAs frees its anonymous
    /// pages and swap entries (unless <see cref="MemoryDescriptor.MmuNotifierBlocks"/>). Copy-on-write pages it
    /// shares (<see cref="SharedMemory"/>) sit in its private anonymous mappings, so they are unmapped too, but freed
    /// (and uncharged from the cgroup charged for them) only when no other process maps them; shared anon regions and
    /// shmem files are VM_SHARED and stay mapped until exit.
    /// </summary>
    public bool DoOomReapTaskMm(MemoryDescriptor mm)
    {
        mm.Flags |= MmFlags.Unstable;
        long privateBefore = mm.PrivateAnonPages.Value;
        bool complete = true;
        if (mm.vmas is not { Count: > 0 })
        {
            if (mm.MmuNotifierBlocks) return false;
            mm.anon = mm.sharedAnon;
            mm.swapEnts = 0;
        }
        else
        {
            foreach (var vma in mm.Vmas)
            {
                if (!vma.Reapable) continue;
                if (vma.NotifierBlocks) { complete = false; continue; }
                // The VMAs hold the mm's own pages; the copy-on-write pools are unmapped below.
                if (vma.Kind == VmaKind.Anonymous) mm.anon = System.Math.Max(mm.sharedAnon, mm.anon - vma.ResidentPages);
                else mm.file = System.Math.Max(0, mm.file - vma.ResidentPages);
                mm.swapEnts = System.Math.Max(0, mm.swapEnts - vma.SwapPages);
                vma.ResidentPages = 0;
                vma.SwapPages = 0;
            }
        }
        if (!mm.MmuNotifierBlocks) UnmapCowPools(mm);
        memCgroups.Uncharge(mm, new Units.Pages(privateBefore - mm.PrivateAnonPages.Value));
        return complete;
    }

    /// <summary>The zap of the copy-on-write pools an mm maps: each page goes only with its last mapping.</summary>
    private void UnmapCowPools(MemoryDescriptor mm)
    {
        if (mm.shared is null) return;
        foreach (var obj in mm.shared.ToArray())
            if (obj.Reapable && m.Unmap(mm, obj)) memCgroups.Uncharge(obj);
    }

    /// <summary>
    /// What reaping can give back of <paramref name="mm"/>, measured before and after a pass: its own anonymous, file
    /// and swap pages, and every shared object still held on the machine (a pool the pass frees leaves that sum).
    /// </summary>
    private long ReapableHeld(MemoryDescriptor mm) => mm.anon - mm.sharedAnon + mm.file + mm.swapEnts + m.SharedPagesHeld();
}
