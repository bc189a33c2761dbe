using System.Collections.Generic;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

/// <summary>What one charge ended in.</summary>
public enum ChargeResult
{
    /// <summary>The pages were charged.</summary>
    Charged,
    /// <summary>The allocating task was killed (by the OOM killer) before it got its memory.</summary>
    Killed,
    /// <summary>-ENOMEM: the OOM killer could not help (disabled, nothing killable, nothing freeing).</summary>
    NoMemory,
    /// <summary>The machine panicked.</summary>
    Panicked,
}

public sealed partial class OomKiller
{

    /// <summary>
    /// A task allocates <paramref name="pages"/> of anonymous memory, as the page allocator and the memcg charge
    /// path do: charge the task's memory cgroup and each ancestor (<c>try_charge_memcg</c>; the lowest cgroup over
    /// its limit is the OOM's memcg) and the machine; when it does not fit, <c>mem_cgroup_out_of_memory</c> (a
    /// margin check first) or <c>__alloc_pages_may_oom</c> runs out_of_memory with the task as current, and the
    /// charge is retried once the victim's exit or the reaper has freed memory — simulated time passes meanwhile.
    /// </summary>
    public ChargeResult Charge(OomTask task, Pages pages, List<OomOutcome>? outcomes = null, int maxOoms = 64)
    {
        var mm = task.Mm ?? throw new OomEngineException(OomError.InvalidState, $"Process {task} has no mm to allocate in.", task.Pid);
        int ooms = 0;
        long left = pages.Value;
        while (true)
        {
            if (m.FindTask(task.Pid) is null || task.GroupExiting) return ChargeResult.Killed;
            // Pages are charged one by one (order 0): what fits now is charged, and only a page that does not
            // fit anywhere — no margin left (mem_cgroup_margin < 1) — gets the OOM killer.
            var over = OverLimit(task.Memcg, 1, out long room);
            long fits = over is null ? System.Math.Min(room, System.Math.Max(0, FreePages())) : 0;
            if (fits > 0)
            {
                long n = System.Math.Min(fits, left);
                mm.anon += n;
                mm.totalVm += n;
                // A measured counter (a report's or a host's) moves by the charge; an unmeasured one is the
                // members' sum, which already holds the grown mm.
                for (var c = task.Memcg; c is not null; c = c.Parent)
                    if (c.Usage is { } u) c.Usage = new Pages(u.Value + n);
                if (m.UsedPages is { } used) m.UsedPages = new Pages(used.Value + n);
                left -= n;
                if (left == 0) return ChargeResult.Charged;
                continue;
            }
            if (m.OomKillerDisabled || ++ooms > maxOoms) return ChargeResult.NoMemory;
            var oc = new OomControl
            {
                Memcg = over,
                Current = task,
                GfpMask = over is not null ? GfpMask.Kernel : GfpMask.HighUserMovable,
                RecordCandidates = outcomes is not null,
            };
            var outcome = Invoke(oc);
            outcomes?.Add(outcome);
            sink?.Add(new Time.TimelineEvent(m.Jiffies, m.Hz, m.PageSize, Time.TimelineEventKind.OutOfMemory, task.Pid, task.Comm, 0,
                (over is null ? "global OOM: " : $"memcg {over.Path} OOM: ") + outcome.Reason, Used()) { Outcome = outcome });
            if (m.PanicMessage is not null) return ChargeResult.Panicked;
            if (!outcome.Result) return ChargeResult.NoMemory;
            if (task.GroupExiting || m.FindTask(task.Pid) is null) return ChargeResult.Killed;
            // Wait, as the allocator does, until the victim's exit or the reaper frees something.
            if (!StepToNextEvent()) return ChargeResult.NoMemory;
        }
    }

    /// <summary>
    /// Invoke-OomAllocation's loop: the task allocates <paramref name="total"/> pages at <paramref name="pagesPerTick"/>
    /// per tick of <paramref name="tickJiffies"/> (all at once when 0), the timeline running between ticks, until
    /// it has them, dies or gets -ENOMEM. Returns every timeline event on the way.
    /// </summary>
    public IReadOnlyList<Time.TimelineEvent> Allocate(OomTask task, Pages total, long pagesPerTick = 0, long tickJiffies = 1)
    {
        var events = new List<Time.TimelineEvent>();
        var outer = sink;
        sink = events;
        try
        {
            long left = total.Value;
            while (left > 0)
            {
                long chunk = pagesPerTick > 0 ? System.Math.Min(pagesPerTick, left) : left;
                var result = Charge(task, new Pages(chunk));
                if (result != ChargeResult.Charged)
                {
                    Note(Time.TimelineEventKind.AllocationFailed, task, chunk, result switch
                    {
                        ChargeResult.Killed => "the allocating task was killed",
                        ChargeResult.Panicked => "the machine panicked: " + m.PanicMessage,
                        _ => "-ENOMEM: the OOM killer could not free memory",
                    });
                    break;
                }
                left -= chunk;
                Note(Time.TimelineEventKind.Allocated, task, chunk, $"allocated {chunk} pages ({total.Value - left} of {total.Value})");
                if (left > 0 && pagesPerTick > 0) Step(m.Jiffies + System.Math.Max(1, tickJiffies));
            }
        }
        finally { sink = outer; outer?.AddRange(events); }
        return events;
    }

    /// <summary>
    /// The lowest cgroup from <paramref name="memcg"/> up whose limit a charge of <paramref name="pages"/> would
    /// exceed (page_counter_try_charge charges upward and fails at the first full counter); otherwise null, with the
    /// room left under every limit of the chain.
    /// </summary>
    private MemoryCgroup? OverLimit(MemoryCgroup memcg, long pages, out long room)
    {
        room = long.MaxValue;
        for (var c = memcg; c is not null && !c.IsRoot; c = c.Parent)
        {
            long usage = MemcgUsage(c);
            if (usage + pages > c.MemoryMax.Value) return c;
            room = System.Math.Min(room, c.MemoryMax.Value - usage);
            if (m.CgroupVersion == CgroupVersion.V1)
            {
                long withSwap = usage + MemcgSwap(c);
                if (withSwap + pages > c.MemswMax.Value) return c;
                room = System.Math.Min(room, c.MemswMax.Value - withSwap);
            }
        }
        return null;
    }

    /// <summary>
    /// memory.current: as measured (a report's or a host's, moved by charges since), else the members' rss with
    /// each mm counted once — worked out afresh, so processes added, moved or changed since are in it.
    /// </summary>
    public long MemcgUsage(MemoryCgroup c)
    {
        if (c.Usage is { } u) return u.Value;
        long sum = 0;
        foreach (var mm in DistinctMms(TasksOf(c))) sum += mm.Rss.Value;
        return sum;
    }

    private static long MemcgSwap(MemoryCgroup c)
    {
        long sum = 0;
        foreach (var mm in DistinctMms(TasksOf(c))) sum += mm.swapEnts;
        return sum;
    }

    /// <summary>Pages the page allocator could still hand out: RAM less anonymous and shmem memory and unreclaimable slab.</summary>
    public long FreePages() => m.TotalRamPages.Value - Used() - m.SlabUnreclaimablePages.Value;

    /// <summary>Anonymous and shmem pages in use: as set on the machine, else summed over its processes' mms.</summary>
    internal long Used()
    {
        if (m.UsedPages is { } u) return u.Value;
        long sum = 0;
        foreach (var mm in DistinctMms(m.Tasks)) sum += mm.anon + mm.shmem;
        return sum;
    }

    /// <summary>The mms of <paramref name="tasks"/>, each once: a set is only needed for an mm that several processes share.</summary>
    internal static IEnumerable<MemoryDescriptor> DistinctMms(IEnumerable<OomTask> tasks)
    {
        HashSet<MemoryDescriptor>? shared = null;
        foreach (var t in tasks)
        {
            if (t.Mm is not { } mm) continue;
            if (mm.Users <= t.ThreadsWithMm) yield return mm;
            else if ((shared ??= new HashSet<MemoryDescriptor>()).Add(mm)) yield return mm;
        }
    }

    /// <summary>Anonymous pages released (exit or reaping) leave the owner's cgroups and the machine.</summary>
    internal void Uncharge(MemoryDescriptor mm, long pages)
    {
        if (pages <= 0) return;
        var owner = m.FindTask(mm.OwnerPid);
        for (var c = owner?.Memcg; c is not null; c = c.Parent)
            if (c.Usage is { } u) c.Usage = new Pages(System.Math.Max(0, u.Value - pages));
        if (m.UsedPages is { } used) m.UsedPages = new Pages(System.Math.Max(0, used.Value - pages));
    }
}
