using System.Collections.Generic;
using OomTools.Engine.Killer;
using OomTools.Engine.Memcontrol;
using OomTools.Engine.Model;
using OomTools.Engine.Timeline;
using OomTools.Engine.Units;

namespace OomTools.Engine.PageAlloc;

/// <summary>
/// The ways an allocation reaches the OOM killer, for one machine: a task's pages charged to its memory cgroup and
/// taken from the page allocator, and when they do not fit, mm/page_alloc.c's <c>__alloc_pages_may_oom</c> or
/// mm/memcontrol.c's <c>mem_cgroup_out_of_memory</c> (here, above the killer it calls, rather than in
/// Memcontrol/, which the killer itself reads) — then the retry once the victim's exit or the reaper has freed
/// memory, simulated time passing meanwhile.
/// </summary>
public sealed class PageAllocator
{
    private readonly OomMachine m;
    private readonly MemCgroups memCgroups;

    /// <summary>The allocation paths of <paramref name="machine"/>.</summary>
    public PageAllocator(OomMachine machine)
    {
        m = machine ?? throw new System.ArgumentNullException(nameof(machine));
        memCgroups = new MemCgroups(machine);
    }

    /// <summary>Pages the page allocator could still hand out: RAM less anonymous and shmem memory and unreclaimable slab.</summary>
    public Pages FreePages() => m.TotalRamPages - m.MemoryInUse() - m.SlabUnreclaimablePages;

    /// <summary>
    /// <c>__alloc_pages_may_oom()</c>: the page allocator is out of pages for <paramref name="current"/>; runs
    /// out_of_memory with a user page's gfp mask (GFP_HIGHUSER_MOVABLE).
    /// </summary>
    public OomOutcome DoAllocPagesMayOom(OomTask current, bool recordCandidates = false) =>
        new OomKiller(m).Invoke(new OomControl { Current = current, GfpMask = GfpMask.HighUserMovable, RecordCandidates = recordCandidates });

    /// <summary>
    /// mm/memcontrol.c <c>mem_cgroup_out_of_memory()</c>, reached from the charge path (<c>mem_cgroup_oom</c>):
    /// <paramref name="memcg"/> is at its limit; runs out_of_memory in that cgroup with GFP_KERNEL.
    /// </summary>
    public OomOutcome MemCgroupOutOfMemory(MemoryCgroup memcg, OomTask current, bool recordCandidates = false) =>
        new OomKiller(m).Invoke(new OomControl { Memcg = memcg, Current = current, GfpMask = GfpMask.Kernel, RecordCandidates = recordCandidates });

    /// <summary>
    /// A task allocates <paramref name="pages"/> of anonymous memory, as the page allocator and the memcg charge
    /// path do: charge the task's memory cgroup and each ancestor (<c>try_charge_memcg</c>; the lowest cgroup over
    /// its limit is the OOM's memcg) and the machine; when it does not fit, <see cref="MemCgroupOutOfMemory"/> or
    /// <see cref="DoAllocPagesMayOom"/> runs out_of_memory with the task as current (each outcome is added to
    /// <paramref name="outcomes"/>), and the charge is retried once the victim's exit or the reaper has freed
    /// memory — simulated time passes meanwhile. At most <paramref name="maxOoms"/> OOMs are run. A memcg OOM
    /// counts <c>oom</c> in memory.events; where the cgroup has oom_kill_disable (v1) nothing is killed: the task
    /// sleeps until woken and retries, or returns <see cref="ChargeResult.Waiting"/> when nothing more is due.
    /// </summary>
    public ChargeResult Charge(OomTask task, Pages pages, List<OomOutcome>? outcomes = null, int maxOoms = 64) =>
        Charge(task, pages, outcomes, maxOoms, null);

    private ChargeResult Charge(OomTask task, Pages pages, List<OomOutcome>? outcomes, int maxOoms, TimelineRun? run)
    {
        if (task is null) throw new System.ArgumentNullException(nameof(task));
        var mm = task.Mm ?? throw new OomEngineException(OomError.InvalidState, $"Process {task} has no mm to allocate in.", task.Pid);
        var timeline = new TimelineRunner(m);
        run ??= new TimelineRun();
        int ooms = 0;
        long left = pages.Value;
        while (true)
        {
            if (m.FindTask(task.Pid) is null || task.GroupExiting) return ChargeResult.Killed;
            // Pages are charged one by one (order 0): what fits now is charged, and only a page that does not
            // fit anywhere — no margin left (mem_cgroup_margin < 1) — gets the OOM killer.
            var over = memCgroups.PageCounterTryCharge(task.Memcg, new Pages(1), out var room);
            long fits = over is null ? System.Math.Min(room.Value, System.Math.Max(0, FreePages().Value)) : 0;
            if (fits > 0)
            {
                long n = System.Math.Min(fits, left);
                mm.anon += n;
                mm.totalVm += n;
                MemCgroups.PageCounterCharge(task.Memcg, new Pages(n));
                if (m.UsedPages is { } used) m.UsedPages = used + new Pages(n);
                left -= n;
                if (left == 0) return ChargeResult.Charged;
                continue;
            }
            if (over is not null)
            {
                // mem_cgroup_oom(): MEMCG_OOM counts every try, before oom_kill_disable is looked at.
                memCgroups.MemcgMemoryEvent(over, MemcgEvent.Oom);
                if (over.OomKillDisable)
                {
                    // v1 oom_kill_disable: no kill; the fault ends asleep in mem_cgroup_oom_synchronize.
                    if (!SleepInMemcgOom(m.AddMemcgOomWaiter(task, over, new Pages(left)), timeline, run)) return ChargeResult.Waiting;
                    continue;
                }
            }
            if (m.OomKillerDisabled || ++ooms > maxOoms) return ChargeResult.NoMemory;
            var outcome = over is not null
                ? MemCgroupOutOfMemory(over, task, outcomes is not null)
                : DoAllocPagesMayOom(task, outcomes is not null);
            outcomes?.Add(outcome);
            var text = (over is null ? "global OOM: " : $"memcg {over.Path} OOM: ") + outcome.Reason;
            var oom = new TimelineEvent(m.Now, m.Hz, m.PageSize, TimelineEventKind.OutOfMemory, task.Pid, task.Comm, 0, text, m.MemoryInUse().Value);
            oom.Outcome = outcome;
            run.Events.Add(oom);
            if (m.PanicMessage is not null) return ChargeResult.Panicked;
            if (!outcome.Result) return ChargeResult.NoMemory;
            if (task.GroupExiting || m.FindTask(task.Pid) is null) return ChargeResult.Killed;
            // Wait, as the allocator does, until the victim's exit or the reaper frees something.
            if (!timeline.StepToNextEvent(run)) return ChargeResult.NoMemory;
        }
    }

    /// <summary>
    /// Asleep on memcg_oom_waitq (TASK_KILLABLE): simulated time runs until something wakes the waiter (an exit or
    /// the reaper uncharging, a fatal signal); false when nothing more is due and it sleeps on. A woken waiter
    /// leaves the queue and the caller tries the charge again.
    /// </summary>
    private bool SleepInMemcgOom(MemcgOomWaiter w, TimelineRunner timeline, TimelineRun run)
    {
        while (!w.Woken && !w.Task.GroupExiting && ReferenceEquals(m.FindTask(w.Task.Pid), w.Task))
            if (!timeline.StepToNextEvent(run)) return false;
        m.RemoveMemcgOomWaiter(w);
        return true;
    }

    /// <summary>
    /// The charges woken in a memcg OOM (<see cref="OomMachine.MemcgOomWaiters"/> marked woken) run again, in the
    /// order they went to sleep: each retries what it had left to allocate — it may now fit, run the OOM killer
    /// (oom_kill_disable cleared) or wait again. A waiter killed meanwhile just leaves. Returns what happened.
    /// </summary>
    public IReadOnlyList<TimelineEvent> RunWokenCharges()
    {
        var events = new List<TimelineEvent>();
        while (FirstWoken() is { } w)
        {
            m.RemoveMemcgOomWaiter(w);
            if (w.Task.GroupExiting || !ReferenceEquals(m.FindTask(w.Task.Pid), w.Task)) continue;
            events.AddRange(Allocate(w.Task, w.PagesLeft));
        }
        return events;
    }

    private MemcgOomWaiter? FirstWoken()
    {
        foreach (var w in m.MemcgOomWaiters) if (w.Woken) return w;
        return null;
    }

    /// <summary>
    /// Changes a memory cgroup as a write to its files does — <paramref name="memoryMax"/> to <c>memory.max</c>
    /// (<see cref="MemCgroups.MemCgroupResizeMax"/>), then <paramref name="oomKillDisable"/> to v1
    /// <c>memory.oom_control</c> (<see cref="MemCgroups.MemCgroupOomControlWrite"/>); null leaves one as it is —
    /// and lets the charges that woke go on (<see cref="RunWokenCharges"/>). Returns what they did.
    /// </summary>
    public IReadOnlyList<TimelineEvent> SetCgroup(MemoryCgroup memcg, Pages? memoryMax, bool? oomKillDisable)
    {
        if (memcg is null) throw new System.ArgumentNullException(nameof(memcg));
        if (oomKillDisable is not null && m.CgroupVersion != CgroupVersion.V1)
            throw new OomEngineException(OomError.InvalidArgument, "memory.oom_control (oom_kill_disable) exists only on cgroup v1.", memcg.Path);
        if (memoryMax is { } max) memCgroups.MemCgroupResizeMax(memcg, max);
        if (oomKillDisable is { } disable) memCgroups.MemCgroupOomControlWrite(memcg, disable);
        return RunWokenCharges();
    }

    /// <summary>
    /// <paramref name="task"/> allocates <paramref name="total"/> pages, charged as the page allocator and the
    /// memcg charge path charge them (running the OOM killer where they do not fit): all at once, or at
    /// <paramref name="perSecond"/> pages a second of simulated time (a leak), in ticks of about 10 ms.
    /// Returns what happened, in order.
    /// </summary>
    public IReadOnlyList<TimelineEvent> Allocate(OomTask task, Pages total, Pages? perSecond)
    {
        if (perSecond is { Value: <= 0 } bad)
            throw new OomEngineException(OomError.InvalidArgument, $"An allocation rate must be positive; {bad} pages a second is not.", bad);
        // About 10 ms a tick: 1 jiffy at HZ=100, 2 at 250, 10 at 1000; at least one page each.
        var tick = Jiffies.Max(new Jiffies(1), Jiffies.FromSeconds(1, m.Hz) / 100);
        long perTick = perSecond is { } rate ? System.Math.Max(1, rate.Value * tick.Value / m.Hz) : 0;
        return Allocate(task, total, perTick, tick);
    }

    /// <summary><paramref name="task"/> allocates <paramref name="total"/> pages at once; returns what happened, in order.</summary>
    public IReadOnlyList<TimelineEvent> Allocate(OomTask task, Pages total) => Allocate(task, total, 0, new Jiffies(1));

    private MemcgOomWaiter LastWaiterOf(OomTask task)
    {
        var q = m.MemcgOomWaiters;
        for (int i = q.Count - 1; i >= 0; i--) if (ReferenceEquals(q[i].Task, task)) return q[i];
        throw new OomEngineException(OomError.InvalidState, $"Process {task} is not waiting in a memcg OOM.", task.Pid);
    }

    /// <summary>
    /// A task allocating over time: <paramref name="total"/> pages at <paramref name="pagesPerTick"/> per tick of
    /// <paramref name="tick"/> (all at once when 0; a tick is at least one jiffy), the timeline running between
    /// ticks, until it has them, dies or gets -ENOMEM. Returns every timeline event on the way.
    /// </summary>
    public IReadOnlyList<TimelineEvent> Allocate(OomTask task, Pages total, long pagesPerTick, Jiffies tick)
    {
        if (task is null) throw new System.ArgumentNullException(nameof(task));
        var timeline = new TimelineRunner(m);
        var run = new TimelineRun();
        long left = total.Value;
        while (left > 0)
        {
            long chunk = pagesPerTick > 0 ? System.Math.Min(pagesPerTick, left) : left;
            var result = Charge(task, new Pages(chunk), null, 64, run);
            if (result == ChargeResult.Waiting)
            {
                // The rest of the allocation waits with the page that did not fit.
                var w = LastWaiterOf(task);
                w.PagesLeft += new Pages(left - chunk);
                run.Events.Add(timeline.Event(TimelineEventKind.MemcgOomWait, task, w.PagesLeft.Value,
                    $"waits in memcg {w.Memcg.Path} OOM: oom_kill_disable is set, nothing killed (under_oom 1); {w.PagesLeft.Value} pages to go"));
                break;
            }
            if (result != ChargeResult.Charged)
            {
                run.Events.Add(timeline.Event(TimelineEventKind.AllocationFailed, task, chunk, result switch
                {
                    ChargeResult.Killed => "the allocating task was killed",
                    ChargeResult.Panicked => "the machine panicked: " + m.PanicMessage,
                    _ => "-ENOMEM: the OOM killer could not free memory",
                }));
                break;
            }
            left -= chunk;
            run.Events.Add(timeline.Event(TimelineEventKind.Allocated, task, chunk, $"allocated {chunk} pages ({total.Value - left} of {total.Value})"));
            if (left > 0 && pagesPerTick > 0) timeline.Step(m.Now + Jiffies.Max(new Jiffies(1), tick), run);
        }
        return run.Events;
    }
}
