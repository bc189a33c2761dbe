using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Reports;

/// <summary>
/// What a kill does with a row's shmem pages, read from a memcg report's stat lines. A row's <c>rss_shmem</c>
/// (<c>MM_SHMEMPAGES</c>) counts the shmem pages its mm maps; they go with the last mapping when the memory is
/// anonymous shared (<c>MAP_SHARED|MAP_ANONYMOUS</c>, memfd) or a tmpfs file already unlinked, and stay in the page
/// cache when a linked tmpfs file (or a SysV segment not yet removed) holds them. The stat block's <c>shmem</c>
/// (v1 <c>total_shmem</c>, NR_SHMEM) counts every shmem page charged to the cgroup, mapped or not. When it equals the
/// rows' shmem (each mm once), no shmem page of the cgroup lives without a mapping and none is mapped twice: the
/// report shows no file keeping pages, and each mm's shmem is taken as its own, freed with it. When the cgroup holds
/// more (pages of a linked file no one maps) or the rows map more (pages shared between rows), the report cannot
/// say whose pages stay, and nothing is assumed: a kill frees no shmem. A parent with a forked twin
/// (<see cref="CowForkPairs"/>) keeps its shmem: the child inherited the mappings without their page tables. The counters stay as printed, so
/// <c>oom_badness</c> and every replay's choice do not change; only what a kill frees does.
/// </summary>
internal static class ShmemLifetimeInference
{
    /// <summary>How every sentence this rule writes begins.</summary>
    public const string Said = "the cgroup's charged shmem equals the rows' rss_shmem";

    /// <summary>
    /// Applies the rule to <paramref name="r"/>'s machine when its stat lines show exactly the rows' shmem charged,
    /// naming it in <see cref="OomReport.Assumptions"/> and <see cref="OomReport.Inferred"/>.
    /// </summary>
    public static void Apply(OomReport r)
    {
        var machine = r.Machine;
        if (machine is null || r.Constraint != Killer.OomConstraint.Memcg) return;
        if (r.MemcgStats is not { } stats || (stats.TotalShmem ?? stats.Shmem) is not { } chargedBytes) return;
        if (r.TaskTableColumns is not { } cols || !cols.Contains("rss_shmem")) return;

        long charged = chargedBytes.ToPages(machine.PageSize).Value;
        var own = new List<(MemoryDescriptor Mm, MemoryCgroup Memcg, long Pages)>();
        var seen = new HashSet<MemoryDescriptor>();
        foreach (var t in machine.Tasks)
        {
            if (t.Mm is not { } mm || !seen.Add(mm)) continue;
            long pages = mm.shmem - mm.sharedShmem;
            if (pages > 0) own.Add((mm, t.Memcg, pages));
        }
        long mapped = own.Sum(x => x.Pages);
        if (mapped == 0 || Math.Abs(mapped - charged) > CowSharingInference.SlackPages) return;
        // A forked twin maps its parent's shared mappings without counting them: the parent's shmem stays.
        own.RemoveAll(x => CowForkPairs.IsTwinParent(machine, x.Mm));
        if (own.Count == 0) return;

        foreach (var (mm, memcg, pages) in own)
            machine.MapShared(mm, machine.CreateShared($"shmem:{mm.OwnerPid}", SharedMemoryKind.SharedAnon, new Pages(pages), memcg));
        string said = $"{Said} ({charged} pages): no shmem page of the cgroup is unmapped or mapped twice, so each process's " +
                      "shmem is taken as its own anonymous shared memory or unlinked file, freed when it dies (a linked tmpfs file would keep it; " +
                      "a parent's stays while its forked twin lives)";
        r.inferred.Add(said);
        if (!r.assumptions.Contains(said)) r.assumptions.Add(said);
    }
}
