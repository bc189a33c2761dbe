using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    /// <summary>
    /// Anonymous and shmem pages in use (what the page allocator cannot reclaim): as measured and moved since
    /// (<see cref="UsedPages"/>), else summed over the processes' mms, each mm once.
    /// The sum is kept, stamped with <see cref="UsageVersion"/>: a timeline event or an OOM's outcome reads it after
    /// every exit and kill, and a walk over every task and mm each time made a storm's OOMs cost many scans.
    /// </summary>
    internal Pages MemoryInUse()
    {
        if (UsedPages is { } u) return u;
        if (KeptMemoryInUse() is { } kept) return new Pages(kept);
        var stamp = UsageVersion.Observe(this);
        long sum = SumMemoryInUse();
        Keep(sum, stamp);
        return new Pages(sum);
    }

    /// <summary>The mms' part of <see cref="MemoryInUse"/> summed now, task by task (what the kept sum is held to).</summary>
    internal long SumMemoryInUse()
    {
        // Shared pages are counted once, by their object, not in each mm that maps them.
        long sum = SharedPagesHeld();
        // Checked: each counter is bounded (KernelLimits), their sum over millions of tasks need not be.
        foreach (var mm in DistinctMms(tasks)) sum = checked(sum + (mm.anon + mm.shmem - mm.sharedAnon - mm.sharedShmem));
        return sum;
    }

    // The summed memory in use and the UsageVersion it was true at (none: never).
    private long keptInUse;
    private VersionStamp keptInUseStamp;

    /// <summary>The mms' sum of <see cref="MemoryInUse"/> as last kept, when nothing it reads has changed since; else null.</summary>
    internal long? KeptMemoryInUse() =>
        !keptInUseStamp.IsNone && keptInUseStamp == UsageVersion.Current(this) ? keptInUse : null;

    /// <summary>
    /// Keeps <paramref name="sum"/> as the memory in use now, after a change whose effect on it the caller worked out
    /// (an exit that took one mm's pages away: Exit/TaskExit).
    /// </summary>
    internal void KeepMemoryInUse(long sum) => Keep(sum, UsageVersion.Observe(this));

    private void Keep(long sum, VersionStamp stamp)
    {
        keptInUse = sum;
        keptInUseStamp = stamp;
    }

    /// <summary>The mms of <paramref name="of"/>, each once: a set is only needed for an mm that several processes share.</summary>
    internal static IEnumerable<MemoryDescriptor> DistinctMms(IEnumerable<OomTask> of)
    {
        HashSet<MemoryDescriptor>? shared = null;
        foreach (var t in of)
        {
            if (t.Mm is not { } mm) continue;
            if (mm.Users <= t.ThreadsWithMm) yield return mm;
            else if ((shared ??= new HashSet<MemoryDescriptor>()).Add(mm)) yield return mm;
        }
    }
}
