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
    public static void Finish(OomReport r, ISet<int> killedEarlier, int defaultPageSize, bool sharingFromStats = true)
    {
        r.Constraint ??= r.OomMemcg is not null || r.MemcgLimit is not null ? OomConstraint.Memcg : OomConstraint.None;
        if (!r.HasTaskTable)
            r.NotReplayable(r.KilledPids.Count > 0 && r.lines.Count <= 2
                ? "the kernel rate-limited this report: only its 'Killed process' line was printed"
                : "the report has no task table (vm.oom_dump_tasks off, or the dump was cut)");
        // Not knowing the kernel's choice does not stop a replay: it only leaves nothing to compare with.
        if (r.SelectedPid is null)
            r.Missing(r.NoKillableProcesses ? "the kernel found no killable process: the replay is compared with that" : OomReport.NoChoice);

        int pageSize = InferPageSize(r, defaultPageSize);
        bool memcg = r.Constraint == OomConstraint.Memcg;
        if (memcg && r.MemcgLimit is null) r.NotReplayable("the memory cgroup's limit line ('memory: usage ..., limit ...') is missing");
        if (!memcg && r.Ram is null) r.NotReplayable("the Mem-Info totals ('N pages RAM') are missing");
        if (memcg && r.OomMemcg is null)
        {
            r.OomMemcg = "/oom";
            r.assumptions.Add("the report does not name the memory cgroup whose limit was hit: it is called /oom here");
        }
        ReportIdentities.Resolve(r);
        if (!r.HasTaskTable || (memcg ? r.MemcgLimit is null : r.Ram is null)) return;

        // The parser's set of earlier victims grows with the events after this one: keep what this table's rows
        // find in it now, for the rebuild the first read of the machine runs.
        ISet<int> earlier = EmptyPids;
        foreach (var t in r.tasks)
        {
            if (killedEarlier.Contains(t.Pid)) Add(ref earlier, t.Pid);
            if (killedEarlier.Contains(t.Tid)) Add(ref earlier, t.Tid);
        }
        r.RebuildLater(report => Rebuild(report, earlier, pageSize, defaultPageSize, memcg, sharingFromStats));
    }

    private static readonly ISet<int> EmptyPids = new HashSet<int>();

    private static void Add(ref ISet<int> set, int pid)
    {
        if (set == EmptyPids) set = new HashSet<int>();
        set.Add(pid);
    }

    /// <summary>
    /// Rebuilds the report's machine, replays it to infer what the report cannot show, and notes every guess: the
    /// part of <see cref="Finish"/> that only a reader of the machine, its assumptions or its replayability needs.
    /// </summary>
    private static void Rebuild(OomReport r, ISet<int> killedEarlier, int pageSize, int defaultPageSize, bool memcg, bool sharingFromStats)
    {
        var notes = new List<string>();
        try
        {
            r.Machine = Build(r, killedEarlier, pageSize, memcg, HiddenState.None, notes);
            NoteGuesses(r, pageSize, pageSizeShown: pageSize != defaultPageSize || r.KilledTotalVm is not null && InferPageSize(r, 0) != 0, notes);
            var inferred = ReportInference.Infer(r, hidden => Build(r, killedEarlier, pageSize, memcg, hidden, new List<string>()));
            if (inferred is { } found)
            {
                // Rebuilt once more for the notes the kept alternative gives (a swap worked back without the root bonus).
                notes.Clear();
                r.Machine = Build(r, killedEarlier, pageSize, memcg, found, notes);
                NoteGuesses(r, pageSize, pageSizeShown: pageSize != defaultPageSize || InferPageSize(r, 0) != 0, notes);
            }
            // Pages charged elsewhere change what a kill frees, never the choice: applied to the machine kept.
            if (sharingFromStats)
            {
                CloneVmFromStats.Apply(r, inferred, hidden => Build(r, killedEarlier, pageSize, memcg, hidden, new List<string>()));
                CowSharingInference.Apply(r);
                ShmemLifetimeInference.Apply(r);
            }
        }
        catch (OomEngineException e) { r.Machine = null; r.NotReplayable("the machine could not be rebuilt: " + e.Message); }
        // Sizes are added with checked arithmetic: a garbled row too large for a long makes no machine, not an error.
        catch (OverflowException) { r.Machine = null; r.NotReplayable("the machine could not be rebuilt: a size in the report does not fit a 64-bit count"); }
        foreach (var n in notes) if (!r.assumptions.Contains(n)) r.assumptions.Add(n);
        foreach (var n in r.inferenceNotes) if (!r.assumptions.Contains(n)) r.assumptions.Add(n);
    }

    /// <summary>The victim's <c>total-vm:</c> kB over its table <c>total_vm</c> pages gives the page size.</summary>
    private static int InferPageSize(OomReport r, int fallback)
    {
        if (r.KilledTotalVm is not { } kb || r.KilledTotalVmPid is not { } pid) return fallback;
        foreach (var t in r.tasks)
        {
            long pages = t.VirtualSize.Value;
            if (t.Tid != pid || pages <= 0 || kb.Value % pages != 0) continue;
            var perPage = new Kibibytes(kb.Value / pages);
            if (perPage.Value is 4 or 16 or 64) return (int)perPage.ToBytes().Value;
        }
        return fallback;
    }

    /// <summary>
    /// The machine of the report with <paramref name="hidden"/> applied (what the report cannot show: a vfork child,
    /// CLONE_VM sharers, root without CAP_SYS_ADMIN); every guess made on the way goes to <paramref name="notes"/>.
    /// </summary>
    private static OomMachine Build(OomReport r, ISet<int> killedEarlier, int pageSize, bool memcg, HiddenState hidden, List<string> notes)
    {
        Pages ram, swap;
        if (r.Ram is { } pagesRam)
        {
            ram = pagesRam - (r.Reserved ?? Pages.Zero);
            if (r.Reserved is null) notes.Add("no 'pages reserved' line: all of 'pages RAM' taken as managed");
        }
        else
        {
            // Enough that the machine never runs out before the cgroup does.
            var rss = Pages.Zero;
            foreach (var t in r.tasks) if (t.Resident > Pages.Zero) rss += t.Resident;
            ram = new Pages(Math.Max(1, (r.MemcgLimit!.Value.ToPages(pageSize) + rss).Value));
            notes.Add("a memcg report does not show the machine's RAM: set to the cgroup limit plus the tasks' rss (it does not affect the choice)");
        }
        var kernel = r.KernelVersion ?? InferVersion(r);
        if (r.TotalSwap is { } totalSwap) swap = totalSwap.ToPages(pageSize);
        else if (memcg && SwapFromPrintedScore(r, KernelRules.For(kernel), pageSize, hidden.RootWithoutCapSysAdmin) is { } inferred)
        {
            swap = inferred;
            notes.Add($"total swap is not in the report: {swap} pages, worked back from the kernel's printed score {r.SelectedScore}");
        }
        else
        {
            // Not printed for a memcg OOM; the cgroup's own swap use is a lower bound.
            var used = r.SwapUsage ?? (r.MemswUsage ?? Kibibytes.Zero) - (r.MemcgUsage ?? Kibibytes.Zero);
            swap = used > Kibibytes.Zero ? used.ToPages(pageSize) : Pages.Zero;
            notes.Add($"total swap is not in the report: taken as {swap} pages (the cgroup's own swap use)");
        }

        var version = r.CgroupVersion ?? (memcg && r.SwapLimit is null ? CgroupVersion.V1 : CgroupVersion.V2);
        // Present pages are "pages RAM" (reserved ones included), so the Mem-Info totals print as the kernel's did.
        var machine = new OomMachine(new Pages(Math.Max(1, ram.Value)), new Pages(Math.Max(0, swap.Value)), pageSize, NodeSizes(r, r.Ram ?? ram),
            $"{r.Source}#{r.Index}", version);
        if (r.KernelVersion is null)
            notes.Add(kernel is null ? "the kernel version is not in the report: the 6.x rules are used"
                : $"the kernel version is not in the report: {kernel} inferred from the report's layout");
        machine.UseKernel(kernel ?? KernelEras.Seed);
        if (!string.IsNullOrEmpty(r.Cpuset) && r.Cpuset != "/")
        {
            var mems = machine.NodesWithMemory;
            try { if (r.MemsAllowed is { } text) mems = NodeMask.Parse(text).Intersect(machine.NodesWithMemory); } catch (FormatException) { }
            if (!mems.IsEmpty && machine.FindCpuset("/" + r.Cpuset) is null) machine.CreateCpuset("/" + r.Cpuset, mems);
        }

        if (r.TaskTableColumns is { } cols && !cols.Contains("swapents"))
            notes.Add("this kernel's task table has no swap or page-table columns: scores count rss only");
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
            bool isVictim = row.Pid == r.SelectedPid || row.Tid == r.SelectedPid;
            afterVictim |= isVictim;
            string rowPath = victimPath is not null && (isVictim || (memcg && afterVictim)) ? victimPath : cgroupPath;
            if (rowPath != cgroupPath) machine.GetOrCreateCgroup(rowPath);
            // A row printed under a thread (pid != tgid) is a process whose leader has exited: the process is the
            // tgid, and the thread that still holds the mm is the row's pid (find_lock_task_mm found it).
            bool threadRow = row.PrintedByThread && machine.FindTask(row.Pid) is null;
            int pid = threadRow || !row.PrintedByThread ? row.Pid : row.Tid;
            if (!seen.Add(pid) || machine.FindTask(pid) is not null)
            {
                notes.Add($"pid {pid} appears twice in the table (line {row.LineNumber}): the repeat is ignored");
                continue;
            }
            if (threadRow)
                notes.Add($"pid {row.Pid} is printed by its thread {row.Tid}: its leader has exited, and it is scored and killed through that thread's mm (find_lock_task_mm)");
            bool victimBefore = killedEarlier.Contains(row.Pid) || killedEarlier.Contains(row.Tid);
            int? sharer = hidden.MmOwnerOf(pid) is { } owner && machine.FindTask(owner) is { Mm: not null } ? owner : null;
            var task = machine.AddTask(new OomTaskSpec
            {
                Pid = pid,
                Threads = threadRow ? 2 : 1,
                DetachedThreads = threadRow ? 1 : 0,
                ThreadIds = threadRow ? new[] { row.Tid } : null,
                Name = row.Name,
                Uid = Math.Max(0, row.Uid),
                // A process sharing another's mm (vfork, CLONE_VM) takes that mm's counters: its row repeats them.
                SharesMemoryWith = sharer,
                AnonPages = sharer is null ? NonNegative(row.ResidentAnon ?? row.Resident - (row.ResidentFile ?? Pages.Zero) - (row.ResidentShmem ?? Pages.Zero)) : Pages.Zero,
                FilePages = sharer is null ? NonNegative(row.ResidentFile ?? Pages.Zero) : Pages.Zero,
                ShmemPages = sharer is null ? NonNegative(row.ResidentShmem ?? Pages.Zero) : Pages.Zero,
                SwapEntries = sharer is null ? NonNegative(row.Swapped) : Pages.Zero,
                PageTableBytes = sharer is null ? Math.Max(0, row.PageTableSize(pageSize).Value) : 0,
                TotalVm = sharer is null ? NonNegative(row.VirtualSize) : null,
                OomScoreAdj = OomScoreAdj.From(Math.Max(OomScoreAdj.MinValue, Math.Min(OomScoreAdj.MaxValue, row.OomScoreAdj))),
                Cgroup = rowPath,
                // An earlier victim still listed was passed over by this scan: the reaper had set MMF_OOM_SKIP.
                OomVictim = victimBefore,
                OomSkip = victimBefore,
            });
            if (!threadRow) task.Tgid = row.Tgid == 0 ? row.Tid : row.Tgid;
            if (hidden.RootWithoutCapSysAdmin && task.Uid == 0) task.CapSysAdmin = false;
            if (victimBefore) notes.Add($"pid {row.Pid} was killed by an earlier event: taken as reaped (MMF_OOM_SKIP)");
        }
        // in_vfork(): the child still uses its parent's mm (the pair was made to share it above).
        foreach (var child in hidden.VforkChildren)
            if (machine.FindTask(child) is { Mm: { } mm } t && (mm.Flags & MmFlags.MultiProcess) != 0) t.InVfork = true;
        return machine;
    }

    /// <summary>
    /// The guesses the replay makes beyond the machine's sizes: the page size, root's CAP_SYS_ADMIN, where the
    /// processes live, and the allocation (trigger, gfp mask, order) ReportReplay.ControlFor hands out_of_memory.
    /// </summary>
    private static void NoteGuesses(OomReport r, int pageSize, bool pageSizeShown, List<string> notes)
    {
        var machine = r.Machine!;
        if (!pageSizeShown)
            notes.Add($"the page size is not shown (no 'Killed process' total-vm matching a row): {pageSize} bytes assumed");
        if (machine.Scoring.Root != RootBonus.None && machine.Tasks.Any(t => t.Uid == 0 && t.CapSysAdmin is null))
            notes.Add($"uid 0 is taken as holding CAP_SYS_ADMIN (the root bonus of {machine.Scoring}); a container's root usually has not");
        if (r.Constraint == OomConstraint.Memcg)
        {
            string where = r.TaskMemcg is { } tm && tm != r.OomMemcg ? $"; the victim and the rows after it in {tm} (task_memcg)" : "";
            notes.Add($"the table does not show each process's memory cgroup: every row is placed in {r.OomMemcg}{where}");
        }
        else
        {
            string where = r.TaskMemcg is { } tm && tm != "/" ? $" (the victim in {tm}, its task_memcg)" : "";
            notes.Add($"a global report does not show the processes' memory cgroups: they are placed in /{where}");
        }
        if (r.GfpMaskValue is null)
            notes.Add(OomReport.NoInvokedLine);
        else if (r.GfpFlags is null)
            notes.Add($"the gfp mask {r.GfpMask} is in this kernel's own bit layout: only __GFP_IO and __GFP_FS (the bits out_of_memory reads) are kept");
        if (r.TriggerPid is null)
            notes.Add("the allocating task's pid is not shown: replayed with no current task (as from a kernel worker)");
        else if (machine.FindTask(r.TriggerPid.Value) is null)
            notes.Add($"the allocating task {r.TriggerPid} ({r.TriggerName}) is not in the task table: replayed with no current task");
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
    private static Pages? SwapFromPrintedScore(OomReport r, KernelRules rules, int pageSize, bool rootWithoutCap)
    {
        if (r.SelectedScore is not { } printed || rules.PerMille || r.MemcgLimit is not { } memcgLimit) return null;
        OomReportTask? victim = null;
        foreach (var t in r.tasks) if (t.Pid == r.SelectedPid) { victim = t; break; }
        if (victim is null || victim.OomScoreAdj <= OomScoreAdj.MinValue) return null;
        long limit = memcgLimit.ToPages(pageSize).Value;
        long pages = (victim.Resident + victim.Swapped + victim.PageTableSize(pageSize).ToPages(pageSize)).Value;
        long Score(long total) => rules.Badness(pages, victim.OomScoreAdj, total, victim.Uid == 0 && !rootWithoutCap) * 1000 / total;
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
