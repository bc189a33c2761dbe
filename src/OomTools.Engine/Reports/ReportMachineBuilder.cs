using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Kernels;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Reports;

/// <summary>
/// Rebuilds the machine an OOM report describes: its size (global: <c>pages RAM - pages reserved</c> and
/// <c>Total swap</c>; memcg: the limit lines and the swap rule of mem_cgroup_get_max), its task table in scan
/// order, and the scoring rules of the kernel that wrote it. Decides whether the event can be replayed.
/// </summary>
internal static class ReportMachineBuilder
{
    public static void Finish(OomReport r, ISet<int> killedEarlier, int defaultPageSize)
    {
        r.Constraint ??= r.OomMemcg is not null || r.MemcgLimit is not null ? OomConstraint.Memcg : OomConstraint.None;
        if (!r.HasTaskTable)
            r.NotReplayable(r.KilledPids.Count > 0 && r.lines.Count <= 2
                ? "the kernel rate-limited this report: only its 'Killed process' line was printed"
                : "the report has no task table (vm.oom_dump_tasks off, or the dump was cut)");
        if (r.SelectedPid is null)
            r.NotReplayable(r.NoKillableProcesses ? "the kernel found no killable process" : "the report does not say which process the kernel chose");

        int pageSize = InferPageSize(r, defaultPageSize);
        bool memcg = r.Constraint == OomConstraint.Memcg;
        if (memcg && r.MemcgLimit is null) r.NotReplayable("the memory cgroup's limit line ('memory: usage ..., limit ...') is missing");
        if (!memcg && r.Ram is null) r.NotReplayable("the Mem-Info totals ('N pages RAM') are missing");
        if (memcg && r.OomMemcg is null) r.OomMemcg = "/oom";
        if (!r.HasTaskTable || (memcg ? r.MemcgLimit is null : r.Ram is null)) return;

        try { r.Machine = Build(r, killedEarlier, pageSize, memcg); }
        catch (OomEngineException e) { r.NotReplayable("the machine could not be rebuilt: " + e.Message); }
        // Sizes are added with checked arithmetic: a garbled row too large for a long makes no machine, not an error.
        catch (OverflowException) { r.NotReplayable("the machine could not be rebuilt: a size in the report does not fit a 64-bit count"); }
    }

    /// <summary>The victim's <c>total-vm:</c> kB over its table <c>total_vm</c> pages gives the page size.</summary>
    private static int InferPageSize(OomReport r, int fallback)
    {
        if (r.KilledTotalVm is not { } kb || r.KilledTotalVmPid is not { } pid) return fallback;
        foreach (var t in r.tasks)
        {
            long pages = t.VirtualSize.Value;
            if (t.Pid != pid || pages <= 0 || kb.Value % pages != 0) continue;
            var perPage = new Kibibytes(kb.Value / pages);
            if (perPage.Value is 4 or 16 or 64) return (int)perPage.ToBytes().Value;
        }
        return fallback;
    }

    private static OomMachine Build(OomReport r, ISet<int> killedEarlier, int pageSize, bool memcg)
    {
        Pages ram, swap;
        if (r.Ram is { } pagesRam)
        {
            ram = pagesRam - (r.Reserved ?? Pages.Zero);
            if (r.Reserved is null) r.assumptions.Add("no 'pages reserved' line: all of 'pages RAM' taken as managed");
        }
        else
        {
            // Enough that the machine never runs out before the cgroup does.
            var rss = Pages.Zero;
            foreach (var t in r.tasks) if (t.Resident > Pages.Zero) rss += t.Resident;
            ram = new Pages(Math.Max(1, (r.MemcgLimit!.Value.ToPages(pageSize) + rss).Value));
            r.assumptions.Add("a memcg report does not show the machine's RAM: set to the cgroup limit plus the tasks' rss (it does not affect the choice)");
        }
        var kernel = r.KernelVersion ?? InferVersion(r);
        if (r.TotalSwap is { } totalSwap) swap = totalSwap.ToPages(pageSize);
        else if (memcg && SwapFromPrintedScore(r, KernelRules.For(kernel), pageSize) is { } inferred)
        {
            swap = inferred;
            r.assumptions.Add($"total swap is not in the report: {swap} pages, worked back from the kernel's printed score {r.SelectedScore}");
        }
        else
        {
            // Not printed for a memcg OOM; the cgroup's own swap use is a lower bound.
            var used = r.SwapUsage ?? (r.MemswUsage ?? Kibibytes.Zero) - (r.MemcgUsage ?? Kibibytes.Zero);
            swap = used > Kibibytes.Zero ? used.ToPages(pageSize) : Pages.Zero;
            r.assumptions.Add($"total swap is not in the report: taken as {swap} pages (the cgroup's own swap use)");
        }

        var version = r.CgroupVersion ?? (memcg && r.SwapLimit is null ? CgroupVersion.V1 : CgroupVersion.V2);
        // Present pages are "pages RAM" (reserved ones included), so the Mem-Info totals print as the kernel's did.
        var machine = new OomMachine(new Pages(Math.Max(1, ram.Value)), new Pages(Math.Max(0, swap.Value)), pageSize, NodeSizes(r, r.Ram ?? ram),
            $"{r.Source}#{r.Index}", version);
        if (r.KernelVersion is null)
            r.assumptions.Add(kernel is null ? "the kernel version is not in the report: the 6.x rules are used"
                : $"the kernel version is not in the report: {kernel} inferred from the report's layout");
        machine.UseKernel(kernel ?? KernelEras.Seed);
        if (!string.IsNullOrEmpty(r.Cpuset) && r.Cpuset != "/")
        {
            var mems = machine.NodesWithMemory;
            try { if (r.MemsAllowed is { } text) mems = NodeMask.Parse(text).Intersect(machine.NodesWithMemory); } catch (FormatException) { }
            if (!mems.IsEmpty && machine.FindCpuset("/" + r.Cpuset) is null) machine.CreateCpuset("/" + r.Cpuset, mems);
        }

        if (r.TaskTableColumns is { } cols && !cols.Contains("swapents"))
            r.assumptions.Add("this kernel's task table has no swap or page-table columns: scores count rss only");
        string cgroupPath = "/";
        if (memcg)
        {
            cgroupPath = r.OomMemcg!;
            var cg = machine.GetOrCreateCgroup(cgroupPath);
            cg.MemoryMax = r.MemcgLimit!.Value.ToPages(pageSize);
            if (r.MemcgUsage is { } usage) cg.Usage = usage.ToPages(pageSize);
            // A limit line the report lacks is no limit: PAGE_COUNTER_MAX, as a printed one is capped.
            cg.MemswMax = r.MemswLimit is { } memsw ? Pages.Min(memsw.ToPages(pageSize), machine.PageCounterMax) : machine.PageCounterMax;
            cg.SwapMax = r.SwapLimit is { } swapLimit ? Pages.Min(swapLimit.ToPages(pageSize), machine.PageCounterMax) : machine.PageCounterMax;
        }

        // Where the victim lives (task_memcg). A global scan does not depend on cgroups, so only the victim moves
        // there; a memcg scan is pre-order, so the victim's cgroup holds it and every row after it, keeping the order.
        string? victimPath = r.TaskMemcg is { } tm && tm != cgroupPath && (!memcg || tm.StartsWith(cgroupPath.TrimEnd('/') + "/", StringComparison.Ordinal)) ? tm : null;
        bool afterVictim = false;
        var seen = new HashSet<int>();
        foreach (var row in r.tasks)
        {
            bool isVictim = row.Pid == r.SelectedPid || row.Tgid == r.SelectedPid;
            afterVictim |= isVictim;
            string rowPath = victimPath is not null && (isVictim || (memcg && afterVictim)) ? victimPath : cgroupPath;
            if (rowPath != cgroupPath) machine.GetOrCreateCgroup(rowPath);
            if (!seen.Add(row.Pid))
            {
                r.assumptions.Add($"pid {row.Pid} appears twice in the table (line {row.LineNumber}): the repeat is ignored");
                continue;
            }
            bool victimBefore = killedEarlier.Contains(row.Pid) || killedEarlier.Contains(row.Tgid);
            // A row printed under a thread (pid != tgid) is a process whose leader has exited: the process is the
            // tgid, and the thread that still holds the mm is the row's pid.
            bool threadRow = row.Tgid > 0 && row.Tgid != row.Pid && !seen.Contains(row.Tgid) && machine.FindTask(row.Tgid) is null;
            if (threadRow) seen.Add(row.Tgid);
            var task = machine.AddTask(new OomTaskSpec
            {
                Pid = threadRow ? row.Tgid : row.Pid,
                Threads = threadRow ? 2 : 1,
                DetachedThreads = threadRow ? 1 : 0,
                ThreadIds = threadRow ? new[] { row.Pid } : null,
                Name = row.Name,
                Uid = Math.Max(0, row.Uid),
                AnonPages = NonNegative(row.ResidentAnon ?? row.Resident - (row.ResidentFile ?? Pages.Zero) - (row.ResidentShmem ?? Pages.Zero)),
                FilePages = NonNegative(row.ResidentFile ?? Pages.Zero),
                ShmemPages = NonNegative(row.ResidentShmem ?? Pages.Zero),
                SwapEntries = NonNegative(row.Swapped),
                PageTableBytes = Math.Max(0, row.PageTableSize(pageSize).Value),
                TotalVm = NonNegative(row.VirtualSize),
                OomScoreAdj = OomScoreAdj.From(Math.Max(OomScoreAdj.MinValue, Math.Min(OomScoreAdj.MaxValue, row.OomScoreAdj))),
                Cgroup = rowPath,
                // An earlier victim still listed was passed over by this scan: the reaper had set MMF_OOM_SKIP.
                OomVictim = victimBefore,
                OomSkip = victimBefore,
            });
            if (!threadRow) task.Tgid = row.Tgid == 0 ? row.Pid : row.Tgid;
            if (victimBefore) r.assumptions.Add($"pid {row.Pid} was killed by an earlier event: taken as reaped (MMF_OOM_SKIP)");
        }
        return machine;
    }

    /// <summary>
    /// A kernel version consistent with the report, when it prints none: the long-term release that prints its
    /// task table, and a "Kill process ... score" line if it has one (<see cref="KernelEras.InferRelease"/>).
    /// </summary>
    private static Version? InferVersion(OomReport r) =>
        r.TaskTableColumns is { } cols && KernelEras.LayoutOf(cols) is { } layout
            ? KernelEras.InferRelease(layout, r.SelectedScore is not null) : null;

    /// <summary>
    /// Kernels before 5.1 print the victim's score as <c>points * 1000 / totalpages</c>, and a memcg OOM's
    /// totalpages is the limit plus the machine's swap (mem_cgroup_get_limit). Total swap is then the one value
    /// that gives the printed score; found by bisection, since the score falls as totalpages grows.
    /// </summary>
    private static Pages? SwapFromPrintedScore(OomReport r, KernelRules rules, int pageSize)
    {
        if (r.SelectedScore is not { } printed || rules.PerMille || r.MemcgLimit is not { } memcgLimit) return null;
        OomReportTask? victim = null;
        foreach (var t in r.tasks) if (t.Pid == r.SelectedPid) { victim = t; break; }
        if (victim is null || victim.OomScoreAdj <= OomScoreAdj.MinValue) return null;
        long limit = memcgLimit.ToPages(pageSize).Value;
        long pages = (victim.Resident + victim.Swapped + victim.PageTableSize(pageSize).ToPages(pageSize)).Value;
        long Score(long total) => rules.Badness(pages, victim.OomScoreAdj, total, victim.Uid == 0) * 1000 / total;
        long lo = Math.Max(1, limit), hi = lo + (1L << 36);
        if (Score(lo) < printed || Score(hi) > printed) return null;
        while (lo < hi)
        {
            long mid = lo + (hi - lo) / 2;
            if (Score(mid) <= printed) hi = mid; else lo = mid + 1;
        }
        return Score(lo) == printed && lo > limit ? new Pages(lo - limit) : null;
    }

    /// <summary>A row's counter as the machine takes it: a negative one (a garbled row) is none.</summary>
    private static Pages NonNegative(Pages p) => p < Pages.Zero ? Pages.Zero : p;

    /// <summary>Enough NUMA nodes for every node the report names, sharing the present pages ("pages RAM") evenly.</summary>
    private static IReadOnlyList<Pages> NodeSizes(OomReport r, Pages present)
    {
        long ram = present.Value;
        int max = 0;
        foreach (var text in new[] { r.MemsAllowed, r.Nodemask })
        {
            if (string.IsNullOrEmpty(text)) continue;
            try { foreach (var n in NodeMask.Parse(text!).Nodes) max = Math.Max(max, n); }
            catch (FormatException) { }
            catch (ArgumentOutOfRangeException) { }
        }
        if (max == 0) return new List<Pages> { new(ram) };
        var list = new List<Pages>();
        for (int i = 0; i <= max; i++) list.Add(new Pages(ram / (max + 1)));
        return list;
    }
}
