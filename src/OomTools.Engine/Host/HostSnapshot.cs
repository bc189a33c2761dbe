using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Host;

/// <summary>Where and how to read a host.</summary>
public sealed class HostSnapshotOptions
{
    /// <summary>
    /// The procfs root (<c>/proc</c>, or a saved copy of it). <c>meminfo</c>, <c>zoneinfo</c>,
    /// <c>sys/kernel/osrelease</c> and each <c>PID/status</c>, <c>PID/stat</c>, <c>PID/oom_score_adj</c> and
    /// <c>PID/cgroup</c> are read under it.
    /// </summary>
    public string ProcRoot { get; set; } = "/proc";
    /// <summary>
    /// The cgroupfs mount (<c>/sys/fs/cgroup</c>, or a saved copy): v1 when it has <c>memory/</c> and
    /// <c>cpuset/</c> controller folders, otherwise the v2 unified hierarchy if its <c>cgroup.controllers</c> lists
    /// them. Memory cgroups' limits and cpusets' <c>mems</c> are read under it.
    /// </summary>
    public string CgroupRoot { get; set; } = "/sys/fs/cgroup";
    /// <summary>
    /// The host's <c>PAGE_SIZE</c> in bytes (default 4096; it is not read from the host). Every kB figure read from
    /// <c>/proc</c> (<c>MemTotal</c>, <c>RssAnon</c>, <c>VmSwap</c>...) is turned into pages with it.
    /// </summary>
    public int PageSize { get; set; } = 4096;
    /// <summary>The name the snapshot's <see cref="OomMachine"/> gets (<see cref="OomMachine.Name"/>).</summary>
    public string Name { get; set; } = "localhost";
    /// <summary>
    /// Where the files are read from: <see cref="DiskFileSystem"/> by default; a fake stands in for it in tests.
    /// </summary>
    public IHostFileSystem FileSystem { get; set; } = new DiskFileSystem();
    /// <summary>
    /// Tells which processes use one mm (CLONE_VM sharers, vfork pairs). Null (the default) uses
    /// <see cref="KcmpMmIdentity"/> when <see cref="ProcRoot"/> is this host's <c>/proc</c> read from disk, and nothing
    /// for a saved tree, whose processes then each get an mm of their own.
    /// </summary>
    public IMmIdentity? MmIdentity { get; set; }
    /// <summary>
    /// Read <c>/proc/PID/smaps_rollup</c> of each mm that may share anonymous pages with another (copy-on-write after a
    /// fork without exec) into <see cref="MemoryDescriptor.SmapsRollup"/>, and the shmem objects each mm with shmem pages
    /// maps (<c>maps</c>, <c>mountinfo</c>, and <c>smaps</c> when there is more than one) into
    /// <see cref="MemoryDescriptor.ShmemMappings"/> (true by default). The scores do not need them; the kernel walks
    /// the page tables to print smaps. An mm not read keeps null: its anonymous pages are all its own.
    /// </summary>
    public bool ReadSmaps { get; set; } = true;
}

/// <summary>
/// Reads a Linux host into an <see cref="OomMachine"/>: RAM and swap from <c>/proc/meminfo</c> (what
/// <c>totalram_pages</c> and <c>total_swap_pages</c> are), NUMA nodes' present pages from <c>/proc/zoneinfo</c>,
/// every process's status, stat, oom_score_adj and cgroup, and the memory cgroups' limits (v1 or v2). Processes
/// come in the kernel's task-list order: by start time, then pid. A process that exits mid-read is skipped; a
/// file the caller may not read becomes a warning and a default.
/// <para>
/// What the kernel scores but status does not say is read too: processes that use one mm (found with
/// <c>kcmp(KCMP_VM)</c> among those of equal <c>VmSize</c>) share one <see cref="MemoryDescriptor"/>; a vfork child
/// (it shares its parent's mm and a parent thread sleeps in the vfork wait, see <see cref="ProcVfork"/>) gets
/// <see cref="OomTask.InVfork"/>; a leader that exited before its threads (<c>State: Z</c>, no Vm lines) is scored
/// through the first live thread's mm from <c>task/TID/status</c>, as find_lock_task_mm does; an mm that may share
/// anonymous pages keeps what <c>smaps_rollup</c> said of its private and shared pages, and one with shmem pages the
/// shmem objects it maps; those become the machine's <see cref="OomMachine.Shared"/> objects (see
/// <see cref="HostSharedObjects"/>), so a kill frees a shared page once, with its last mapper.
/// </para>
/// </summary>
public static class HostSnapshot
{
    private const uint PF_EXITING = 0x4;

    /// <summary>
    /// Reads the host <paramref name="o"/> points at into a new <see cref="OomMachine"/>: RAM and swap pages from
    /// <c>MemTotal</c>/<c>SwapTotal</c>, per-node present pages from <c>zoneinfo</c>, the kernel rules of the
    /// release in <c>osrelease</c> (when it parses), the memory cgroups and cpusets the processes are in, and one task
    /// per process in <c>for_each_process</c> order (start time, then pid).
    /// </summary>
    /// <param name="o">The roots, page size, machine name and file system to read.</param>
    /// <param name="warn">
    /// Gets a message for each file that could not be read for lack of permission (a default is used instead) and
    /// each process that had to be left out.
    /// </param>
    /// <returns>The machine, ready to be scored or sent out of memory.</returns>
    /// <exception cref="OomEngineException"><c>meminfo</c> does not exist under <see cref="HostSnapshotOptions.ProcRoot"/>.</exception>
    public static OomMachine Read(HostSnapshotOptions o, Action<string> warn)
    {
        var fs = o.FileSystem;
        var meminfo = Read(fs, Join(o.ProcRoot, "meminfo"), warn)
            ?? throw new OomEngineException(OomError.InvalidState,
                $"'{Join(o.ProcRoot, "meminfo")}' does not exist: a host snapshot reads a Linux host's /proc, or a saved copy of it as the proc root.", o.ProcRoot);
        Kibibytes memTotal = MeminfoKb(meminfo, "MemTotal"), swapTotal = MeminfoKb(meminfo, "SwapTotal");
        int pageSize = o.PageSize;

        var memcgRoot = FindMemoryController(fs, o.CgroupRoot, out var version);
        var machine = new OomMachine(memTotal.ToPages(pageSize), swapTotal.ToPages(pageSize), pageSize,
            NodePresentPages(fs, o.ProcRoot), o.Name, version);
        // The host's own kernel decides how /proc/PID/oom_score is scaled (and the rules before 5.9).
        if (Kernels.KernelRules.ParseRelease(Read(fs, Join(o.ProcRoot, "sys/kernel/osrelease"), warn)) is { } kernel)
            machine.UseKernel(kernel);

        // The boot a pid and its start time belong to: a live write checks both against the running host.
        machine.HostBootId = HostBoot.ReadBootId(fs, o.ProcRoot);
        // The kernel's own count of OOM kills since boot, for monitors (Export-OomMetrics).
        machine.VmstatOomKill = VmstatValue(Read(fs, Join(o.ProcRoot, "vmstat"), warn), "oom_kill");
        var cpusetRoot = FindCpusetController(fs, o.CgroupRoot, out var cpusetV1);
        var procs = new List<HostProcess>();
        foreach (var dir in fs.Folders(o.ProcRoot))
        {
            if (!int.TryParse(dir, NumberStyles.None, CultureInfo.InvariantCulture, out _)) continue;
            var baseDir = Join(o.ProcRoot, dir);
            var statusText = Read(fs, Join(baseDir, "status"), warn);
            var status = statusText is null ? null : ProcStatus.Parse(statusText);
            if (status is null) continue; // exited while we read
            var stat = Read(fs, Join(baseDir, "stat"), warn);
            if (stat is null && fs.ReadText(Join(baseDir, "status")) is null) continue; // exited mid-read
            ParseStat(stat, out var start, out var flags);
            var adjText = Read(fs, Join(baseDir, "oom_score_adj"), warn);
            int adj = int.TryParse(adjText?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var a) ? a : 0;
            var cgroupFile = memcgRoot is null && cpusetRoot is null ? null : Read(fs, Join(baseDir, "cgroup"), warn);
            var p = new HostProcess(baseDir, status, start, flags, adj)
            {
                Memcg = memcgRoot is null ? null : ControllerPath(cgroupFile, version == CgroupVersion.V1 ? "memory" : null),
                Cpuset = cpusetRoot is null ? null : ControllerPath(cgroupFile, cpusetV1 ? "cpuset" : null),
            };
            // A leader that exited before its other threads: find_lock_task_mm scores it through a live thread's mm.
            if (!p.KernelThread && !status.HasMm && status.Threads > 1 && ProcThreads.Read(fs, baseDir, status.Pid, warn) is { MmThread: { } mmThread } threads)
            {
                p.Threads = threads;
                p.MmStatus = mmThread;
                p.MmDir = Join(baseDir, "task/" + mmThread.Pid.ToString(CultureInfo.InvariantCulture));
            }
            procs.Add(p);
        }
        // for_each_process walks in creation order: start time, and pid among processes started in the same tick.
        procs.Sort((x, y) => x.Start != y.Start ? x.Start.CompareTo(y.Start) : x.Status.Pid.CompareTo(y.Status.Pid));

        HostMemorySharing.Find(procs, o, warn);

        var added = new HashSet<int>();
        // Thread ids not read from task/ are made up: never a pid of this host or another made-up id, as pids and
        // thread ids are one number space.
        var usedIds = new HashSet<int>(procs.Select(x => x.Status.Pid));
        foreach (var x in procs) if (x.Threads is { } known) usedIds.UnionWith(known.OtherTids);
        int[] MadeUpThreadIds(int pid, int count)
        {
            var ids = new int[Math.Max(0, count - 1)];
            int next = pid;
            for (int i = 0; i < ids.Length; i++)
            {
                do next++; while (usedIds.Contains(next));
                usedIds.Add(next);
                ids[i] = next;
            }
            return ids;
        }
        foreach (var p in procs)
        {
            var s = p.Status;
            var mmStatus = p.MmStatus;
            string cgPath = "/";
            if (p.Memcg is { } memcg && memcgRoot is not null)
            {
                cgPath = MemoryCgroupReader.Ensure(machine, fs, memcgRoot, memcg, version, warn).Path;
            }
            string csPath = p.Cpuset is { } cpuset && cpusetRoot is not null ? CpusetReader.Ensure(machine, fs, cpusetRoot, cpuset, cpusetV1, warn).Path : "/";
            bool hasMm = p.HasMm;
            // Shares the mm of an earlier process that is in the machine: that mm's counters are used.
            int? sharer = p.Owner is { } owner && added.Contains(owner.Status.Pid) ? owner.Status.Pid : null;
            try
            {
                var task = machine.AddTask(new OomTaskSpec
                {
                    Pid = s.Pid,
                    Name = s.Name.Length == 0 ? "?" : s.Name,
                    Uid = Math.Max(0, s.Uid),
                    AnonPages = sharer is null ? mmStatus.RssAnon.ToPages(pageSize) : Pages.Zero,
                    FilePages = sharer is null ? mmStatus.RssFile.ToPages(pageSize) : Pages.Zero,
                    ShmemPages = sharer is null ? mmStatus.RssShmem.ToPages(pageSize) : Pages.Zero,
                    SwapEntries = sharer is null ? mmStatus.VmSwap.ToPages(pageSize) : Pages.Zero,
                    PageTableBytes = sharer is null ? mmStatus.VmPte.ToBytes().Value : 0,
                    TotalVm = sharer is null ? mmStatus.VmSize.ToPages(pageSize) : null,
                    SharesMemoryWith = sharer,
                    OomScoreAdj = OomScoreAdj.From(Math.Max(-1000, Math.Min(1000, p.Adj))),
                    Cgroup = cgPath,
                    Cpuset = csPath,
                    Threads = p.Threads is { } t ? 1 + t.OtherTids.Count : s.Threads,
                    ThreadIds = p.Threads?.OtherTids.ToArray() ?? MadeUpThreadIds(s.Pid, s.Threads),
                    DetachedThreads = p.Threads is { } dt ? dt.Detached : hasMm ? 0 : s.Threads,
                    KernelThread = p.KernelThread,
                    Exiting = (p.Flags & PF_EXITING) != 0,
                    InVfork = p.InVfork,
                });
                task.Tgid = s.Tgid == 0 ? s.Pid : s.Tgid;
                if (machine.HostBootId is { } boot && p.Start != long.MaxValue) task.HostOrigin = new HostOrigin(boot, p.Start);
                if (task.Mm is { } mm && sharer is null)
                {
                    mm.SmapsRollup = p.SmapsRollup;
                    mm.ShmemMappings = p.ShmemMappings;
                }
                added.Add(s.Pid);
            }
            catch (OomEngineException e)
            {
                warn($"process {s.Pid} ({s.Name}) left out: {e.Message}");
            }
            catch (OverflowException)
            {
                warn($"process {s.Pid} ({s.Name}) left out: its VmPTE does not fit a 64-bit byte count");
            }
        }
        HostSharedObjects.Build(machine, procs, warn);
        return machine;
    }

    internal static string Join(string a, string b) => a.EndsWith("/", StringComparison.Ordinal) ? a + b : a + "/" + b;

    internal static string? Read(IHostFileSystem fs, string path, Action<string> warn)
    {
        try { return fs.ReadText(path); }
        catch (UnauthorizedAccessException) { warn($"cannot read {path}: permission denied (a default is used)"); return null; }
    }

    /// <summary>A <c>/proc/vmstat</c> counter (<c>oom_kill 3</c>, vmstat_text's name and value); null when missing.</summary>
    internal static long? VmstatValue(string? vmstat, string key)
    {
        if (vmstat is null) return null;
        foreach (var line in vmstat.Split('\n'))
        {
            var parts = line.Trim().Split(' ');
            if (parts.Length == 2 && parts[0] == key
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var v)) return v;
        }
        return null;
    }

    /// <summary>A <c>/proc/meminfo</c> line's value (<c>MemTotal:  16314284 kB</c>); 0 when missing.</summary>
    private static Kibibytes MeminfoKb(string meminfo, string key)
    {
        foreach (var line in meminfo.Split('\n'))
        {
            if (!line.StartsWith(key + ":", StringComparison.Ordinal)) continue;
            var parts = line.Substring(key.Length + 1).Trim().Split(' ');
            if (long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var v)) return new Kibibytes(v);
        }
        return Kibibytes.Zero;
    }

    /// <summary>Present pages per node, summed over the zones /proc/zoneinfo lists (node_present_pages).</summary>
    private static IReadOnlyList<Pages>? NodePresentPages(IHostFileSystem fs, string procRoot)
    {
        string? zoneinfo;
        try { zoneinfo = fs.ReadText(Join(procRoot, "zoneinfo")); } catch (UnauthorizedAccessException) { return null; }
        if (zoneinfo is null) return null;
        var sums = new SortedDictionary<int, long>();
        int node = -1;
        foreach (var raw in zoneinfo.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("Node ", StringComparison.Ordinal))
            {
                int comma = line.IndexOf(',');
                node = comma > 5 && int.TryParse(line.Substring(5, comma - 5), out var n) ? n : -1;
                if (node >= 0 && !sums.ContainsKey(node)) sums[node] = 0;
            }
            else if (node >= 0 && line.StartsWith("present ", StringComparison.Ordinal) &&
                     long.TryParse(line.Substring(8).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var present))
                sums[node] += present;
        }
        if (sums.Count <= 1) return null;
        var list = new List<Pages>();
        for (int i = 0; i <= MaxKey(sums); i++) list.Add(new Pages(sums.TryGetValue(i, out var v) ? v : 0));
        return list;
    }

    private static int MaxKey(SortedDictionary<int, long> d) { int max = 0; foreach (var k in d.Keys) max = k; return max; }

    /// <summary>stat: the flags (field 9) and the start time in clock ticks (field 22), counted after the ")" of comm.</summary>
    internal static void ParseStat(string? stat, out long start, out uint flags)
    {
        start = long.MaxValue;
        flags = 0;
        if (stat is null) return;
        int close = stat.LastIndexOf(')');
        if (close < 0) return;
        var f = stat.Substring(close + 1).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (f.Length > 6) uint.TryParse(f[6], NumberStyles.None, CultureInfo.InvariantCulture, out flags);
        if (f.Length > 19 && long.TryParse(f[19], NumberStyles.None, CultureInfo.InvariantCulture, out var s)) start = s;
    }

    /// <summary>The memory controller's root folder: v1's <c>memory/</c>, or the v2 unified root when it has memory.</summary>
    private static string? FindMemoryController(IHostFileSystem fs, string root, out CgroupVersion version)
    {
        version = CgroupVersion.V1;
        try
        {
            if (fs.ReadText(Join(root, "memory/memory.limit_in_bytes")) is not null) return Join(root, "memory");
            if (fs.ReadText(Join(root, "cgroup.controllers")) is { } controllers && controllers.Contains("memory"))
            {
                version = CgroupVersion.V2;
                return root;
            }
        }
        catch (UnauthorizedAccessException) { }
        version = CgroupVersion.V2;
        return null;
    }

    /// <summary>
    /// A process's cgroup from /proc/PID/cgroup: the line of the v1 <paramref name="v1Controller"/>, or the v2
    /// "0::" line when it is null.
    /// </summary>
    private static string? ControllerPath(string? cgroupFile, string? v1Controller)
    {
        if (cgroupFile is null) return null;
        foreach (var line in cgroupFile.Split('\n'))
        {
            var parts = line.Split(new[] { ':' }, 3);
            if (parts.Length < 3) continue;
            bool match = v1Controller is not null ? Array.IndexOf(parts[1].Split(','), v1Controller) >= 0 : parts[0] == "0" && parts[1].Length == 0;
            if (match) return parts[2].Trim().Length == 0 ? "/" : parts[2].Trim();
        }
        return null;
    }

    /// <summary>The cpuset controller's root: v1's <c>cpuset/</c>, or the v2 unified root when it has cpuset.</summary>
    private static string? FindCpusetController(IHostFileSystem fs, string root, out bool v1)
    {
        v1 = true;
        try
        {
            if (fs.ReadText(Join(root, "cpuset/cpuset.mems")) is not null) return Join(root, "cpuset");
            v1 = false;
            if (fs.ReadText(Join(root, "cgroup.controllers")) is { } controllers && controllers.Contains("cpuset")) return root;
        }
        catch (UnauthorizedAccessException) { }
        return null;
    }
}
