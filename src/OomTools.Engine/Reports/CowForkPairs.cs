using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Reports;

/// <summary>
/// A parent and the child it forked after touching its memory, printed side by side. <c>fork()</c>
/// (<c>dup_mmap</c> → <c>copy_present_pte</c>) maps every anonymous page of the parent into the child copy-on-write,
/// so both mms count the same <c>MM_ANONPAGES</c> although each page is charged once, to the parent's cgroup; the
/// child joins the parent's cgroup at the tail of its task list (<c>cgroup_post_fork</c>), so a memcg dump prints
/// it right after the parent, with the parent's name, uid and <c>oom_score_adj</c> (copied in
/// <c>copy_signal</c>). Killing one of them frees none of those pages while the other lives. The child gets the
/// parent's mappings but not the page tables of file mappings it can fault back (<c>vma_needs_copy</c>), and threads
/// the parent starts later add stacks: an idle child prints no more total_vm and fewer file pages than its parent.
/// </summary>
internal static class CowForkPairs
{
    /// <summary>The name of the pool a parent shares with its forked twin.</summary>
    public static string PoolNameFor(int parentPid) => $"cow:{parentPid}";

    /// <summary>
    /// Whether <paramref name="mm"/> was taken as the parent of a forked twin. The child inherited its shared
    /// mappings too, but fork copies no page tables of a shared mapping, so the child's <c>rss_shmem</c> stays 0 until
    /// it touches them, and the parent's shmem lives as long as the child.
    /// </summary>
    public static bool IsTwinParent(OomMachine machine, MemoryDescriptor mm) => machine.FindShared(PoolNameFor(mm.OwnerPid)) is not null;

    /// <summary>
    /// Rows next to each other in table order with separate mms, one name, uid and oom_score_adj, the later with the
    /// greater pid, no more total_vm and fewer file pages than the earlier, the earlier's anon counter or less (more
    /// than the stat slack: <see cref="ParentGrewSince"/>), and no third row of one total_vm and anon next to them:
    /// each row in one pair at most. The pair shares the later row's anon.
    /// </summary>
    public static List<(MemoryDescriptor Parent, MemoryDescriptor Child, long Anon)> Find(OomMachine machine)
    {
        var pairs = new List<(MemoryDescriptor, MemoryDescriptor, long)>();
        var tasks = machine.Tasks.Where(t => t.Mm is not null).ToList();
        for (int i = 0; i + 1 < tasks.Count; i++)
        {
            OomTask a = tasks[i], b = tasks[i + 1];
            MemoryDescriptor ma = a.Mm!, mb = b.Mm!;
            // The child maps what the parent had at the fork: the pair shares the child's anon.
            long anon = Anon(mb);
            if (ReferenceEquals(ma, mb) || anon <= CowSharingInference.SlackPages || !SameOrigin(a, b)) continue;
            if (b.Pid <= a.Pid) continue;
            // A parent with one idle child is a run of two such rows; a run of three or more with one total_vm is
            // siblings forked from one parent (a fork family), not a parent and its child.
            if (i > 0 && Sibling(tasks[i - 1], a) || i + 2 < tasks.Count && Sibling(b, tasks[i + 2])) continue;
            // The child has mapped nothing since: fork copies the parent's mappings (total_vm) but not the page
            // tables of file mappings it can fault back (vma_needs_copy), so an idle child prints no more total_vm
            // and fewer file pages. Rows equal in both are siblings forked from one parent, not a parent and child.
            if (mb.TotalVm > ma.TotalVm || mb.file >= ma.file) continue;
            if (!ParentGrewSince(ma, mb)) continue;
            pairs.Add((ma, mb, anon));
            i++;
        }
        return pairs;
    }

    /// <summary>One name, uid and oom_score_adj, in separate mms: what fork gives the child (copy_signal, comm).</summary>
    private static bool SameOrigin(OomTask a, OomTask b) =>
        a.Mm is { } ma && b.Mm is { } mb && !ReferenceEquals(ma, mb) &&
        a.Uid == b.Uid && a.OomScoreAdj == b.OomScoreAdj && string.Equals(a.Comm, b.Comm, StringComparison.Ordinal);

    /// <summary>One origin and one anon counter: what a fork leaves alike while neither process faults.</summary>
    private static bool Alike(OomTask a, OomTask b) =>
        SameOrigin(a, b) && Anon(a.Mm!) == Anon(b.Mm!);

    /// <summary>
    /// Whether the parent's anon can be the child's and what the parent faulted since the fork. The idle child maps
    /// the anon pages the parent had then, and no more. The parent went on: what it faulted since (the stacks of the
    /// threads it started, its allocator's arenas, pages of its heap it touched) is its own, so it prints as much anon
    /// as the child or more. (A write to a page shared copy-on-write replaces the page and leaves the anon counter as it
    /// was.) How much more the report cannot bound: whether the pairs found fit the stat lines decides (<see cref="Apply"/>).
    /// </summary>
    private static bool ParentGrewSince(MemoryDescriptor parent, MemoryDescriptor child) =>
        Anon(parent) >= Anon(child);

    // The anon counter a row prints, less what an earlier inference already put in a pool.
    private static long Anon(MemoryDescriptor mm) => mm.anon - mm.sharedAnon;

    private static bool Sibling(OomTask a, OomTask b) => Alike(a, b) && a.Mm!.TotalVm == b.Mm!.TotalVm;

    /// <summary>
    /// Explains <paramref name="excess"/> with fork pairs: each pair's anon is printed twice and charged once, and
    /// what is left over is a pool shared with a parent outside the cgroup by every row of the pairs' name (as
    /// <see cref="CowSharingInference"/> takes it), each pair's own pool then holding the rest of its anon. False,
    /// changing nothing, when there are no pairs or they do not fit the stat lines.
    /// </summary>
    public static bool Apply(OomReport r, OomMachine machine, List<(MemoryDescriptor Mm, string Comm)> mms, long excess, string head)
    {
        var pairs = Find(machine);
        if (pairs.Count == 0) return false;
        long twice = pairs.Sum(p => p.Anon);
        if (twice > excess + CowSharingInference.SlackPages) return false;
        long rest = Math.Max(0, excess - twice);
        long outside = 0;
        List<MemoryDescriptor> mappers = new();
        if (rest > CowSharingInference.SlackPages)
        {
            // Every row of the pairs' one name maps the outside pool X: rest = K·X − P·X (each pair's own pool is its
            // anon less X, printed twice and charged once).
            var comms = pairs.Select(p => mms.First(x => ReferenceEquals(x.Mm, p.Parent)).Comm).Distinct(StringComparer.Ordinal).ToList();
            if (comms.Count != 1) return false;
            mappers = mms.Where(x => x.Comm == comms[0]).Select(x => x.Mm).ToList();
            if (mappers.Count <= pairs.Count) return false;
            outside = rest / (mappers.Count - pairs.Count);
            if (mappers.Any(mm => Anon(mm) < outside) || pairs.Any(p => p.Anon - outside <= 0)) return false;
        }

        if (outside > 0)
        {
            var pool = machine.CreateShared(CowSharingInference.PoolName, SharedMemoryKind.CowAnon, new Pages(outside), machine.RootMemcg);
            foreach (var mm in mappers) machine.MapShared(mm, pool);
        }
        foreach (var (parent, child, anon) in pairs)
        {
            var memcg = machine.FindTask(parent.OwnerPid)?.Memcg ?? machine.RootMemcg;
            var pool = machine.CreateShared(PoolNameFor(parent.OwnerPid), SharedMemoryKind.CowAnon, new Pages(anon - outside), memcg);
            machine.MapShared(parent, pool);
            machine.MapShared(child, pool);
        }
        string pids = string.Join(", ", pairs.Select(p => $"{p.Parent.OwnerPid}+{p.Child.OwnerPid}"));
        string said = $"{head}: rows side by side with one name, uid and oom_score_adj, the later with the earlier's anon or less " +
                      "(what the parent faulted since the fork is its own), taken as a parent and the child it forked, " +
                      $"sharing the child's anon copy-on-write, charged once (pids {pids})" +
                      (outside > 0 ? $", and {outside} pages of each of the {mappers.Count} rows so named as shared with a parent outside the cgroup (charged to the root cgroup)" : "") +
                      ": killing one of a pair frees none of the pages the other still maps";
        r.inferred.Add(said);
        if (!r.assumptions.Contains(said)) r.assumptions.Add(said);
        return true;
    }
}
