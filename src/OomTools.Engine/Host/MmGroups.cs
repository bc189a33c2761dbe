using System;
using System.Collections.Generic;

namespace OomTools.Engine.Host;

/// <summary>
/// Finds the processes that use one mm (CLONE_VM sharers, vfork pairs). Two processes can share an mm only if their
/// status shows the same <c>VmSize</c> (<c>mm-&gt;total_vm</c>, printed from the mm itself), so only processes with equal
/// sizes are compared, through <see cref="IMmIdentity"/>. Its answers are a total order, so each size keeps its
/// distinct mms sorted and a process costs a binary search: about log2(k) kcmp calls among k mms of one size, none
/// for a process whose size no other has.
/// </summary>
internal sealed class MmGroups
{
    private readonly IMmIdentity identity;
    private readonly Dictionary<long, List<(int index, int mmPid)>> bySize = new();

    public MmGroups(IMmIdentity identity) => this.identity = identity;

    /// <summary>How many comparisons were made, and the first reason one could not be.</summary>
    public int Calls, Failures;
    /// <summary>Why the first comparison that failed did.</summary>
    public string? FirstError;

    /// <summary>
    /// The index of an earlier process using the same mm as this one, or -1 when it is the first seen of its mm (or
    /// cannot be compared). <paramref name="mmPid"/> is a task that has the mm (a live thread of an exited leader).
    /// </summary>
    public int Owner(int index, int mmPid, long vmSizeKb)
    {
        if (!bySize.TryGetValue(vmSizeKb, out var reps))
        {
            bySize[vmSizeKb] = new List<(int, int)> { (index, mmPid) };
            return -1;
        }
        int lo = 0, hi = reps.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            Calls++;
            var c = identity.Compare(mmPid, reps[mid].mmPid, out var error);
            if (c is null)
            {
                Failures++;
                FirstError ??= error;
                return -1; // not comparable: its own mm, and not kept as a representative
            }
            if (c == 0) return reps[mid].index;
            if (c < 0) hi = mid;
            else lo = mid + 1;
        }
        reps.Insert(lo, (index, mmPid));
        return -1;
    }
}
