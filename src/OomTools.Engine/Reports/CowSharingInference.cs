using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Reports;

/// <summary>
/// Copy-on-write sharing read from a memcg report's stat lines. A row's <c>rss_anon</c> (<c>MM_ANONPAGES</c>) counts
/// every anonymous page its mm maps, but a page is charged once, to the cgroup of the task that faulted it first
/// (<c>folio_memcg</c>); the stat block's anon (v1 <c>total_rss</c>, v2 <c>anon</c>: NR_ANON_MAPPED) counts the
/// pages charged to the OOM's cgroup. When the rows' anon (each mm once) exceeds it by more than the stat counters'
/// per-CPU slack, the excess pages are mapped by the rows and charged elsewhere: <c>fork()</c> without exec leaves
/// the parent's pages shared copy-on-write, charged to the parent's cgroup, and a child moved into the cgroup
/// keeps what it faulted before (v1 does not move charges by default). A kill frees none of them while the parent
/// lives, and uncharges none from this cgroup ever. Forked children keep their parent's comm, so the mappers are
/// taken as the rows of one comm, each mapping an equal share: one pool charged to the root cgroup. The counters
/// stay as printed, so <c>oom_badness</c> and every replay's choice do not change; only what a kill frees does.
/// </summary>
internal static class CowSharingInference
{
    /// <summary>
    /// The slack allowed between the rows and the stat lines, in pages: the memcg statistics are flushed from per-CPU
    /// deltas only past MEMCG_CHARGE_BATCH (64) pages per CPU, and an mm's rss counters are per-CPU counters too, so
    /// both may lag a little; a difference this small says nothing about sharing.
    /// </summary>
    public const long SlackPages = 256;

    /// <summary>How every sentence this rule writes begins.</summary>
    public const string Said = "the rows' anon exceeds the cgroup's charged anon";

    /// <summary>The name of the pool the rebuilt machine is given.</summary>
    public const string PoolName = "cow:outside";

    /// <summary>
    /// Applies the rule to <paramref name="r"/>'s machine when its stat lines show anon charged elsewhere, naming it
    /// in <see cref="OomReport.Assumptions"/> and <see cref="OomReport.Inferred"/>.
    /// </summary>
    public static void Apply(OomReport r)
    {
        var machine = r.Machine;
        if (machine is null || ChargedAnon(r, machine, out string lag) is not { } charged) return;
        if (r.OomMemcg is null || r.OomMemcg == "/" || machine.FindShared(PoolName) is not null) return;
        var mms = new List<(MemoryDescriptor Mm, string Comm)>();
        var seen = new HashSet<MemoryDescriptor>();
        foreach (var t in machine.Tasks)
            if (t.Mm is { } mm && seen.Add(mm)) mms.Add((mm, t.Comm));
        long mapped = mms.Sum(x => x.Mm.anon - x.Mm.sharedAnon);
        long excess = mapped - charged;
        if (excess <= SlackPages) return;
        string head = $"{Said} ({charged} pages{lag}) by {excess} pages";
        // Rows printing identical counters may be one mm shown several times (CLONE_VM, vfork). When counting each
        // such set once matches the charged anon, that explains the stat lines with nothing charged elsewhere.
        long once = OnceEach(r);
        if (Math.Abs(once - charged) <= SlackPages)
        {
            r.assumptions.Add($"{head}, but not when rows with identical counters are counted once: taken as one mm printed several times, nothing charged elsewhere");
            return;
        }

        // A parent and its forked child side by side print the same anon, charged once.
        if (CowForkPairs.Apply(r, machine, mms, excess, head)) return;
        if (ForkFamilies(r, machine, mms, excess, head)) return;

        // The alternatives the report shows: rows of one comm (two or more mms), each mapping excess/K pages, so each
        // with at least that much anon. Of a comm's rows, the K with the most anon for the largest K that fits: the
        // thinnest share, the least taken from what a kill frees.
        var fitting = new List<(string Comm, List<MemoryDescriptor> Mms)>();
        foreach (var g in mms.GroupBy(x => x.Comm, StringComparer.Ordinal))
        {
            var sorted = g.Select(x => x.Mm).OrderByDescending(mm => mm.anon - mm.sharedAnon).ToList();
            for (int k = sorted.Count; k >= 2; k--)
            {
                if (sorted[k - 1].anon - sorted[k - 1].sharedAnon < excess / k) continue;
                // Kept in table order.
                var mappers = sorted.Take(k).ToList();
                fitting.Add((g.Key, mms.Select(x => x.Mm).Where(mappers.Contains).ToList()));
                break;
            }
        }
        if (fitting.Count == 0)
        {
            r.assumptions.Add($"{head}: pages charged elsewhere, but no two or more rows of one name can map them all; not modelled (a kill is taken to free every anon page it maps)");
            return;
        }
        int most = fitting.Max(g => g.Mms.Count);
        var best = fitting.Where(g => g.Mms.Count == most).ToList();
        if (best.Count > 1)
        {
            r.assumptions.Add($"{head}: pages charged elsewhere, but the rows named {string.Join(" and ", best.Select(g => g.Comm))} could each map them; not modelled");
            return;
        }
        var (comm, group) = best[0];
        var share = new Pages(excess / group.Count);
        var pool = machine.CreateShared(PoolName, SharedMemoryKind.CowAnon, share, machine.RootMemcg);
        foreach (var mm in group) machine.MapShared(mm, pool);
        string said = $"{head}: {excess} pages taken as copy-on-write shared with a parent outside the cgroup, among the {group.Count} rows named {comm} " +
            (group.Count < mms.Count(x => x.Comm == comm) ? $"with the most anon (pids {string.Join(", ", group.Select(mm => mm.OwnerPid))}) " : "") +
            $"({share} pages each, one pool charged to the root cgroup: a kill frees only a row's private anon)";
        r.inferred.Add(said);
        if (!r.assumptions.Contains(said)) r.assumptions.Add(said);
    }

    /// <summary>
    /// Parents, each with its own forked children: fork copies the parent's mappings (<c>dup_mmap</c>), so a parent's
    /// children print the same <c>total_vm</c> and, while they write nothing, the same anon. Such sets (rows of one
    /// name, total_vm and anon, two or more each) are taken as families, each sharing one pool with its parent,
    /// before every row of the name is taken to share one pool: a row that merely has the name (a grower exec'd from
    /// the same binary) is not a child. The report gives only the sum of the pools, so every mapper is taken to keep
    /// the same number of private pages. False when there are no families or they cannot hold the excess.
    /// </summary>
    private static bool ForkFamilies(OomReport r, OomMachine machine, List<(MemoryDescriptor Mm, string Comm)> mms, long excess, string head)
    {
        var families = mms.GroupBy(x => (x.Comm, x.Mm.TotalVm.Value, x.Mm.anon - x.Mm.sharedAnon))
            .Where(g => g.Count() >= 2)
            .Select(g => g.Select(x => x.Mm).ToList())
            .ToList();
        if (families.Count == 0) return false;
        long mappers = families.Sum(f => f.Count);
        long floorSum = families.Sum(f => f.Count * f.Min(mm => mm.anon - mm.sharedAnon));
        long keep = (floorSum - excess) / mappers;
        if (keep < 0) return false;
        var said = new List<string>();
        int i = 0;
        foreach (var family in families)
        {
            long share = family.Min(mm => mm.anon - mm.sharedAnon) - keep;
            if (share <= 0) continue;
            var pool = machine.CreateShared(i++ == 0 ? PoolName : $"{PoolName}:{i}", SharedMemoryKind.CowAnon, new Pages(share), machine.RootMemcg);
            foreach (var mm in family) machine.MapShared(mm, pool);
            said.Add($"pids {string.Join(", ", family.Select(mm => mm.OwnerPid))} ({share} pages each)");
        }
        if (said.Count == 0) return false;
        string text = $"{head}: taken as copy-on-write pages shared with {said.Count} parents outside the cgroup, one pool per family of rows " +
                      $"with one name and one total_vm: {string.Join("; ", said)}; each mapper keeps {keep} private pages, as the report gives only " +
                      "the pools' sum (pools charged to the root cgroup: a kill frees only a row's private anon)";
        r.inferred.Add(text);
        if (!r.assumptions.Contains(text)) r.assumptions.Add(text);
        return true;
    }

    /// <summary>
    /// The anon pages charged to a memcg report's cgroup, in pages of <paramref name="machine"/>: the stat lines' figure,
    /// or the page counter's where they lag it (<paramref name="lag"/> then says so). Null when the report is not a memcg
    /// one with stat lines, or its table has no rss_anon column (6.8+), which alone says how much of a row is anon.
    /// </summary>
    internal static long? ChargedAnon(OomReport r, OomMachine machine, out string lag)
    {
        lag = "";
        if (r.Constraint != Killer.OomConstraint.Memcg || r.MemcgStats?.ChargedAnon is not { } chargedBytes) return null;
        if (r.TaskTableColumns is not { } cols || !cols.Contains("rss_anon")) return null;
        long charged = chargedBytes.ToPages(machine.PageSize).Value;
        lag = StatLag(r, machine, ref charged);
        return charged;
    }

    /// <summary>
    /// The page counter (<c>memory: usage</c>) is exact; the stat lines are the memcg's rstat counters, flushed from
    /// per-CPU deltas, and can lag a burst of faults. When usage less kernel memory (v1 <c>kmem: usage</c>, charged to
    /// the memory counter too) less the page cache exceeds the printed anon by more than the slack, the difference is
    /// taken as anon charged but not yet in the stat lines. Returns the words the sentence adds, empty otherwise.
    /// </summary>
    private static string StatLag(OomReport r, OomMachine machine, ref long charged)
    {
        if (r.MemcgUsage is not { } usage || r.KmemUsage is not { } kmem || r.MemcgStats is not { } stats) return "";
        if ((stats.TotalFile ?? stats.File) is not { } cache) return "";
        long counted = usage.ToPages(machine.PageSize).Value - kmem.ToPages(machine.PageSize).Value - cache.ToPages(machine.PageSize).Value;
        if (counted - charged <= SlackPages) return "";
        long printed = charged;
        charged = counted;
        return $", from the page counter: usage less kmem and cache; the stat lines' {printed} lag it";
    }

    /// <summary>
    /// The rows' anon with each set of rows printing identical mm counters counted once, where the set can be one mm:
    /// a write to <c>oom_score_adj</c> reaches every process sharing the writer's mm (<c>__set_oom_adj</c>), so
    /// CLONE_VM sharers print one adj; only a vfork child (a pair) may differ. Three or more identical rows with
    /// different adj are separate mms (siblings forked from one parent) and each counts.
    /// </summary>
    internal static long OnceEach(OomReport r)
    {
        long sum = 0;
        foreach (var set in IdenticalSets(r))
        {
            long anon = set[0].ResidentAnon!.Value.Value;
            sum += CanBeOneMm(set) ? anon : anon * set.Count;
        }
        return sum;
    }

    /// <summary>The rows with anon, grouped by identical mm counters, in table order (sets of one row included).</summary>
    internal static List<List<OomReportTask>> IdenticalSets(OomReport r) =>
        r.tasks
            .Where(t => t.ResidentAnon is { } a && a.Value > 0)
            .GroupBy(t => $"{t.VirtualSize.Value}/{t.Resident.Value}/{t.ResidentAnon!.Value.Value}/{t.RssFile}/{t.RssShmem}/{t.PgtablesBytes}/{t.SwapEnts}", StringComparer.Ordinal)
            .Select(g => g.ToList())
            .ToList();

    /// <summary>Identical rows that can be one mm: two (a vfork child may set its own adj), or all with one adj.</summary>
    internal static bool CanBeOneMm(List<OomReportTask> set) => set.Count <= 2 || set.Select(t => t.OomScoreAdj).Distinct().Count() == 1;
}
