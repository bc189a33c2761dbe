using System;
using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    /// <summary>
    /// Forks a process onto the end of the task list (and of its memory cgroup's list). Every part of
    /// <paramref name="spec"/> is checked first; on any error nothing is added.
    /// </summary>
    public OomTask AddTask(OomTaskSpec spec)
    {
        if (spec is null) throw new ArgumentNullException(nameof(spec));
        int pid = spec.Pid ?? NextFreePid();
        if (pid <= 0) throw new OomEngineException(OomError.InvalidArgument, $"A pid must be positive; {pid} is not.", pid);
        if (pid > KernelLimits.PidMaxLimit)
            throw new OomEngineException(OomError.InvalidArgument, $"pid {pid} is above PID_MAX_LIMIT ({KernelLimits.PidMaxLimit}): no kernel gives it.", pid);
        if (byPid.ContainsKey(pid)) throw new OomEngineException(OomError.DuplicatePid, $"Machine '{Name}' already has a process with pid {pid}.", pid);
        if (string.IsNullOrEmpty(spec.Name)) throw new OomEngineException(OomError.InvalidArgument, "A process needs a name (its comm).", spec.Name);
        if (spec.Uid < 0) throw new OomEngineException(OomError.InvalidArgument, $"A uid cannot be negative ({spec.Uid}).", spec.Uid);
        CheckSize("anonymous rss", spec.AnonPages);
        CheckSize("file rss", spec.FilePages);
        CheckSize("shmem rss", spec.ShmemPages);
        CheckSize("swap", spec.SwapEntries);
        if (spec.TotalVm is { } vm) CheckSize("total_vm", vm, KernelLimits.MaxVirtualPages(PageSize));
        CheckPageTableBytes(spec.PageTableBytes);
        if (spec.Threads < 1) throw new OomEngineException(OomError.InvalidArgument, $"A process has at least one thread; {spec.Threads} is not a thread count.", spec.Threads);
        int[] tids = ThreadIdsFor(pid, spec);
        bool init = spec.GlobalInit ?? (pid == 1 && !spec.KernelThread);
        if (init && FindGlobalInit() is { } existing)
            throw new OomEngineException(OomError.InvalidArgument, $"Process {existing} is already the global init: a machine has one init process (is_global_init), so pid {pid} cannot be another.", pid);
        if (spec.DetachedThreads < 0 || spec.DetachedThreads > spec.Threads)
            throw new OomEngineException(OomError.InvalidArgument, $"Detached threads must be between 0 and the thread count {spec.Threads}; {spec.DetachedThreads} is not.", spec.DetachedThreads);
        // No path is the root, found without canonicalising "/" (a path walk per process on a bulk add).
        var memcg = spec.Cgroup is null ? RootMemcg : GetCgroup(spec.Cgroup);
        var cpuset = spec.Cpuset is null ? RootCpuset : GetCpuset(spec.Cpuset);
        OomTask? sharer = null;
        if (spec.SharesMemoryWith is { } other)
        {
            sharer = GetTask(other);
            if (sharer.Mm is null) throw new OomEngineException(OomError.InvalidState, $"Process {sharer} has no mm left to share.", other);
            // Sizes may be left out, or repeat the shared mm's (as a copied task does); anything else contradicts it.
            var mm = sharer.Mm;
            if (!SameOrZero(spec.AnonPages, mm.AnonPages) || !SameOrZero(spec.FilePages, mm.FilePages) || !SameOrZero(spec.ShmemPages, mm.ShmemPages) ||
                !SameOrZero(spec.SwapEntries, mm.SwapEntries) || (spec.PageTableBytes != 0 && spec.PageTableBytes != mm.PageTableBytes))
                throw new OomEngineException(OomError.InvalidArgument, $"A process that shares the mm of {sharer} uses that mm's counters; give no other memory sizes of its own.", other);
        }

        var sharing = ResolveTaskSharing(spec, pid, memcg, sharer);

        // Checks are done: from here on the machine changes.
        var task = new OomTask(pid, spec.Name)
        {
            Uid = spec.Uid,
            OomScoreAdj = spec.OomScoreAdj,
            OomScoreAdjMin = spec.OomScoreAdjMin ?? OomScoreAdj.Zero,
            IsKernelThread = spec.KernelThread,
            IsGlobalInit = init,
            Exiting = spec.Exiting,
            GroupExiting = spec.GroupExiting || spec.OomVictim,
            CoreDumping = spec.CoreDumping,
            InVfork = spec.InVfork,
            OomOrigin = spec.OomOrigin,
            Frozen = spec.Frozen,
            MempolicyBind = spec.MempolicyBind,
            Memcg = memcg,
            Cpuset = cpuset,
        };
        if (spec.Threads > 1)
        {
            var threads = ThreadIds.OfLength(spec.Threads - 1);
            for (int i = 0; i < threads.Length; i++)
                threads[i] = new OomThread(tids[i], hasMm: i + 1 >= spec.DetachedThreads);
            task.otherThreads = threads;
        }
        foreach (var thread in task.otherThreads) threadOwner[thread.Tid] = pid;
        task.leaderHasMm = spec.DetachedThreads == 0;

        // A kernel thread has no mm of its own, but may use another's (kthread_use_mm).
        if (spec.DetachedThreads < spec.Threads && (!spec.KernelThread || sharer is not null))
        {
            if (sharer is not null)
            {
                task.Mm = sharer.Mm;
                task.Mm!.Flags |= MmFlags.MultiProcess;
            }
            else
            {
                task.Mm = NewMm(spec, pid);
            }
            if (sharer is null) ApplySharing(task.Mm, sharing, growTotalVm: spec.TotalVm is null);
            if (spec.OomSkip) task.Mm.Flags |= MmFlags.OomSkip;
            task.Mm.Users += task.ThreadsWithMm;
        }
        if (spec.OomVictim) MarkAddedVictim(task, spec, sharer);

        tasks.Add(task);
        ScoreVersion.Bump();
        UsageVersion.Bump();
        byPid.Add(task, tasks);
        memcg.tasks.Add(task);
        if (pid >= nextPid) nextPid = (int)System.Math.Min((long)pid + spec.Threads, int.MaxValue);
        return task;
    }

    /// <summary>
    /// A process added as an OOM victim: <c>signal-&gt;oom_mm</c> is set whether or not a thread still holds the
    /// mm (mark_oom_victim took its own reference, so oom_mm outlives every exit_mm), and
    /// <c>tsk_is_oom_victim()</c> is what oom_evaluate_task tests. TIF_MEMDIE (one victim in flight) is only on
    /// a thread that has not passed exit_mm, which clears it.
    /// </summary>
    private void MarkAddedVictim(OomTask task, OomTaskSpec spec, OomTask? sharer)
    {
        if (task.Mm is { } mm)
        {
            task.OomMm = mm;
            task.MemDie = true;
            OomVictims++;
            return;
        }
        // Every thread is past exit_mm: the shared mm lives on in the sharer; an mm of its own is only the
        // struct oom_mm keeps (no users), with what exit_mmap has still to free.
        var oomMm = sharer?.Mm ?? NewMm(spec, task.Pid);
        if (spec.OomSkip) oomMm.Flags |= MmFlags.OomSkip;
        task.OomMm = oomMm;
    }

    private static MemoryDescriptor NewMm(OomTaskSpec spec, int owner) => new()
    {
        AnonPages = spec.AnonPages,
        FilePages = spec.FilePages,
        ShmemPages = spec.ShmemPages,
        SwapEntries = spec.SwapEntries,
        PageTableBytes = spec.PageTableBytes,
        TotalVm = spec.TotalVm ?? new Pages(spec.AnonPages.Value + spec.FilePages.Value + spec.ShmemPages.Value + spec.SwapEntries.Value),
        OwnerPid = owner,
    };

    private static bool SameOrZero(Pages given, Pages actual) => given.Value == 0 || given == actual;

    /// <summary>A page counter is not negative and not above what a kernel can hold (<see cref="KernelLimits"/>).</summary>
    private void CheckSize(string what, Pages pages, long? max = null)
    {
        if (pages.Value < 0) throw new OomEngineException(OomError.NegativeSize, $"The {what} cannot be negative ({pages} pages).", pages);
        long limit = max ?? KernelLimits.MaxPages(PageSize);
        if (pages.Value > limit)
            throw new OomEngineException(OomError.InvalidArgument, $"The {what} of {pages} pages is more than a kernel can hold ({limit} pages of {PageSize} bytes).", pages);
    }

    private static void CheckPageTableBytes(long bytes)
    {
        if (bytes < 0) throw new OomEngineException(OomError.NegativeSize, $"Page-table bytes cannot be negative ({bytes}).", bytes);
        if (bytes > KernelLimits.MaxMemoryBytes)
            throw new OomEngineException(OomError.InvalidArgument, $"Page-table bytes of {bytes} are more than a kernel can hold ({KernelLimits.MaxMemoryBytes}).", bytes);
    }

    /// <summary>Every thread id (pid + 1, ... or the ones given) is a pid a kernel can give: 1..PID_MAX_LIMIT.</summary>
    /// <summary>
    /// The ids of a new process's other threads. Thread ids and pids are one number space (<c>alloc_pid</c> gives
    /// both), so the pid may not be a thread id of another process, a given id (<see cref="OomTaskSpec.ThreadIds"/>)
    /// may not be anyone's pid or thread id, and the rest are the next free ids above the pid, as the allocator
    /// hands them out.
    /// </summary>
    private int[] ThreadIdsFor(int pid, OomTaskSpec spec)
    {
        if (threadOwner.TryGetValue(pid, out var owner))
            throw new OomEngineException(OomError.DuplicatePid, $"Machine '{Name}' already uses {pid} as a thread id of process {owner}: pids and thread ids are one number space.", pid);
        if (spec.Threads <= 1) return Array.Empty<int>();
        var tids = new int[spec.Threads - 1];
        var taken = new HashSet<int> { pid };
        long next = pid;
        for (int i = 0; i < tids.Length; i++)
        {
            long tid;
            if (spec.ThreadIds is { } ids && i < ids.Length)
            {
                tid = ids[i];
                if (tid >= 1 && tid <= KernelLimits.PidMaxLimit && (taken.Contains((int)tid) || byPid.ContainsKey((int)tid) || threadOwner.ContainsKey((int)tid)))
                    throw new OomEngineException(OomError.DuplicatePid,
                        $"Thread {i + 2} of pid {pid} would have id {tid}, which is already a pid or thread id on machine '{Name}': pids and thread ids are one number space.", tid);
            }
            else
            {
                do next++; while (next <= KernelLimits.PidMaxLimit && (taken.Contains((int)next) || byPid.ContainsKey((int)next) || threadOwner.ContainsKey((int)next)));
                tid = next;
            }
            if (tid < 1 || tid > KernelLimits.PidMaxLimit)
                throw new OomEngineException(OomError.InvalidArgument,
                    $"Thread {i + 2} of pid {pid} would have id {tid}, outside 1..PID_MAX_LIMIT ({KernelLimits.PidMaxLimit}): give fewer threads or a lower pid.", tid);
            taken.Add((int)tid);
            tids[i] = (int)tid;
        }
        return tids;
    }

    /// <summary>A document's threads (ids checked free when the process was added with them) in place of the ones made.</summary>
    internal void ReplaceThreads(OomTask task, OomThread[] threads)
    {
        foreach (var thread in task.otherThreads) threadOwner.Remove(thread.Tid);
        task.otherThreads = threads;
        foreach (var thread in threads) threadOwner[thread.Tid] = task.Pid;
    }

    private OomTask? FindGlobalInit()
    {
        foreach (var t in Tasks) if (t.IsGlobalInit) return t;
        return null;
    }

    private int NextFreePid()
    {
        while (byPid.ContainsKey(nextPid) || threadOwner.ContainsKey(nextPid))
        {
            if (nextPid >= KernelLimits.PidMaxLimit) throw new OomEngineException(OomError.InvalidState, $"Machine '{Name}' has no free pid above {nextPid - 1}: the pid space (PID_MAX_LIMIT {KernelLimits.PidMaxLimit}) is exhausted.", nextPid);
            nextPid++;
        }
        if (nextPid > KernelLimits.PidMaxLimit)
            throw new OomEngineException(OomError.InvalidState, $"Machine '{Name}' has no free pid above {KernelLimits.PidMaxLimit} (PID_MAX_LIMIT): give -Pid.", nextPid);
        return nextPid;
    }

    /// <summary>
    /// <c>release_task()</c>'s unhashing: the process leaves the task list, the pid table and its memory cgroup.
    /// The exit itself (exit_mm, exit_mmap, exit_oom_victim) is Exit/'s <c>TaskExit.DoExit</c>, which ends here.
    /// </summary>
    internal void ReleaseTask(OomTask task)
    {
        int at = IndexOfSame(tasks, task);
        ScoreChanges.Removing(task, at);
        if (at >= 0) tasks.RemoveAt(at);
        ScoreVersion.Bump();
        UsageVersion.Bump();
        byPid.Remove(task.Pid);
        foreach (var thread in task.otherThreads) threadOwner.Remove(thread.Tid);
        task.Memcg.tasks.Remove(task, listed: at >= 0);
        MemcgOomReleased(task);
    }

    /// <summary>
    /// Takes <paramref name="task"/> out of <paramref name="list"/>, keeping the others' order (ties go to the later
    /// task). Found by reference: List.Remove calls Equals on every task before it, a load of each task object (a
    /// cache miss a task on a big machine); comparing the references reads only the list's array.
    /// </summary>
    internal static bool RemoveSame(List<OomTask> list, OomTask task)
    {
        int i = IndexOfSame(list, task);
        if (i < 0) return false;
        list.RemoveAt(i);
        return true;
    }

    /// <summary>The position of <paramref name="task"/> in <paramref name="list"/> by reference; -1 when it is not there.</summary>
    internal static int IndexOfSame(List<OomTask> list, OomTask task)
    {
        for (int i = 0; i < list.Count; i++)
            if (ReferenceEquals(list[i], task)) return i;
        return -1;
    }

    /// <summary>Moves a process into another memory cgroup; it joins the end of that cgroup's task list.</summary>
    public void MoveTask(OomTask task, MemoryCgroup target)
    {
        if (ReferenceEquals(task.Memcg, target)) return;
        task.Memcg.tasks.Remove(task);
        target.tasks.Add(task);
        task.Memcg = target;
    }

    /// <summary>Moves a process into another cpuset (its mems_allowed follow).</summary>
    public void MoveTask(OomTask task, Cpuset target) => task.Cpuset = target;

    /// <summary>
    /// Creates a memory cgroup, unlimited unless limits are given (<c>mkdir</c> in cgroupfs). Its parent must exist,
    /// unless <paramref name="createParents"/> asks for the missing ones to be made too, unlimited, as
    /// <c>mkdir -p</c> does; they are made only once every value has been checked, so a refused call makes none.
    /// </summary>
    public MemoryCgroup CreateCgroup(string path, Pages? memoryMax = null, Pages? swapMax = null, bool oomGroup = false, int? swappiness = null, bool createParents = false)
    {
        var p = NormalizePath(path);
        if (p == "/" || memcgs.ContainsKey(p)) throw new OomEngineException(OomError.CgroupExists, $"Memory cgroup '{p}' already exists on machine '{Name}'.", path);
        int cut = p.LastIndexOf('/');
        string parentPath = cut == 0 ? "/" : p.Substring(0, cut);
        var parent = createParents ? FindCgroup(parentPath) : GetCgroup(parentPath);
        if (memoryMax is { Value: < 0 }) throw new OomEngineException(OomError.NegativeSize, $"memory.max cannot be negative ({memoryMax}).", memoryMax);
        if (swapMax is { Value: < 0 }) throw new OomEngineException(OomError.NegativeSize, $"The swap limit cannot be negative ({swapMax}).", swapMax);
        if (swappiness is < 0 or > 200) throw new OomEngineException(OomError.InvalidArgument, $"swappiness takes 0..200; {swappiness} is not.", swappiness);
        if (oomGroup && CgroupVersion == CgroupVersion.V1) throw new OomEngineException(OomError.InvalidArgument, "memory.oom.group exists only on cgroup v2.", path);
        parent ??= GetOrCreateCgroup(parentPath);
        // v1: a new memcg starts with its parent's swappiness (mem_cgroup_css_alloc); v2 always follows vm.swappiness.
        if (swappiness is null && CgroupVersion == CgroupVersion.V1 && !parent.IsRoot) swappiness = parent.Swappiness;
        var cg = new MemoryCgroup(p.Substring(cut + 1), parent, PageCounterMax) { OomGroup = oomGroup, Swappiness = swappiness };
        // v1: oom_kill_disable is inherited too (mem_cgroup_css_alloc); the root's cannot be set.
        if (CgroupVersion == CgroupVersion.V1) cg.OomKillDisable = parent.OomKillDisable;
        if (memoryMax is { } max) cg.MemoryMax = max;
        if (swapMax is { } swap)
        {
            // v2 limits swap alone; v1 limits memory+swap, kept at least memory.max as the kernel insists.
            cg.SwapMax = swap;
            cg.MemswMax = cg.MemoryMax.Value > PageCounterMax.Value - swap.Value ? PageCounterMax : cg.MemoryMax + swap;
        }
        memcgs[p] = cg;
        return cg;
    }

    /// <summary>
    /// The memory cgroup at <paramref name="path"/>, created with any missing parents (unlimited);
    /// <paramref name="created"/> sees each cgroup made here, parents first, to set what it knows of it.
    /// </summary>
    public MemoryCgroup GetOrCreateCgroup(string path, Action<MemoryCgroup>? created = null)
    {
        if (FindCgroup(path) is { } existing) return existing;
        var cg = RootMemcg;
        string sofar = "";
        foreach (var part in NormalizePath(path).Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries))
        {
            sofar += "/" + part;
            if (FindCgroup(sofar) is { } found) { cg = found; continue; }
            cg = CreateCgroup(sofar);
            created?.Invoke(cg);
        }
        return cg;
    }

    /// <summary>Creates a cpuset under an existing parent.</summary>
    public Cpuset CreateCpuset(string path, NodeMask mems, bool hardwall = false)
    {
        var p = NormalizePath(path);
        if (p == "/" || cpusets.ContainsKey(p)) throw new OomEngineException(OomError.CpusetExists, $"Cpuset '{p}' already exists on machine '{Name}'.", path);
        int cut = p.LastIndexOf('/');
        var parent = GetCpuset(cut == 0 ? "/" : p.Substring(0, cut));
        if (!mems.IsSubsetOf(NodesWithMemory) || mems.IsEmpty)
            throw new OomEngineException(OomError.InvalidArgument, $"cpuset.mems '{mems}' must be a non-empty set of this machine's memory nodes ({NodesWithMemory}).", mems);
        var cs = new Cpuset(p.Substring(cut + 1), parent, mems, hardwall);
        cpusets[p] = cs;
        return cs;
    }

    /// <summary><c>cpusets_enabled()</c>: more than the root cpuset exists.</summary>
    public bool CpusetsEnabled => cpusets.Count > 1;
}
