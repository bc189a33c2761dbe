using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    /// <summary>
    /// Anonymous and shmem pages in use (what the page allocator cannot reclaim): as measured and moved since
    /// (<see cref="UsedPages"/>), else summed over the processes' mms, each mm once.
    /// </summary>
    internal Pages MemoryInUse()
    {
        if (UsedPages is { } u) return u;
        // Shared pages are counted once, by their object, not in each mm that maps them.
        long sum = SharedPagesHeld();
        // Checked: each counter is bounded (KernelLimits), their sum over millions of tasks need not be.
        foreach (var mm in DistinctMms(tasks)) sum = checked(sum + (mm.anon + mm.shmem - mm.sharedAnon - mm.sharedShmem));
        return new Pages(sum);
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
