using System;
using System.Collections.Generic;
using OomTools.Engine.Log;
using OomTools.Engine.Time;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// A simulated Linux machine: memory and swap, NUMA nodes, the OOM sysctls, memory cgroups and cpusets, the
/// task list in creation order (<c>for_each_process</c>), a clock and a kernel log. The OOM killer's
/// globals (<c>oom_killer_disabled</c>, <c>oom_victims</c>, the notifier chain, the oom_reaper's list) and the
/// timers and exits queued on the machine's timeline live here too, as data: the functions that act on them
/// are in Killer/ (mm/oom_kill.c) and the folders above it.
/// </summary>
public sealed partial class OomMachine
{
    private List<OomTask> tasks = new();
    private PidTable byPid = new();
    // The other threads' ids, each to its process's pid: pids and thread ids are one number space (alloc_pid).
    private ThreadOwnerTable threadOwner => byPid.Threads;
    private Dictionary<string, MemoryCgroup> memcgs = new(StringComparer.Ordinal);
    private Dictionary<string, Cpuset> cpusets = new(StringComparer.Ordinal);
    private List<NumaNode> nodes;
    private int panicOnOom;
    private int nextPid = 1;

    /// <summary>Builds a machine of <paramref name="ramPages"/> pages of RAM and <paramref name="swapPages"/> of swap.</summary>
    /// <param name="ramPages"><c>totalram_pages()</c>: managed RAM.</param>
    /// <param name="swapPages"><c>total_swap_pages</c>.</param>
    /// <param name="pageSize">PAGE_SIZE in bytes: a power of two of at least 1 KiB (4096 on x86-64).</param>
    /// <param name="nodePresentPages">Pages per NUMA node; null puts all RAM on node 0.</param>
    /// <param name="name">The machine's name, as reports and audits show it.</param>
    /// <param name="cgroupVersion">The memory controller's hierarchy: v1 (memsw limits) or v2 (swap.max, memory.oom.group).</param>
    /// <param name="clock">Where time comes from; null starts a simulated clock at 0.</param>
    public OomMachine(Pages ramPages, Pages swapPages, int pageSize = 4096, IReadOnlyList<Pages>? nodePresentPages = null,
        string name = "oom-machine", CgroupVersion cgroupVersion = CgroupVersion.V2, IClock? clock = null)
    {
        Pages.CheckPageSize(pageSize);
        if (ramPages.Value <= 0) throw new OomEngineException(OomError.InvalidArgument, $"RAM must be at least one page; {ramPages} pages is not.", ramPages);
        if (swapPages.Value < 0) throw new OomEngineException(OomError.InvalidArgument, $"Swap cannot be negative ({swapPages} pages).", swapPages);
        if (ramPages.Value > KernelLimits.MaxPages(pageSize) || swapPages.Value > KernelLimits.MaxPages(pageSize))
            throw new OomEngineException(OomError.InvalidArgument,
                $"RAM and swap are each at most {KernelLimits.MaxMemoryBytes} bytes (2^52, the widest physical address space Linux runs on); {ramPages} and {swapPages} pages of {pageSize} bytes are not.", ramPages.Value > KernelLimits.MaxPages(pageSize) ? ramPages : swapPages);
        PageSize = pageSize;
        TotalRamPages = ramPages;
        TotalSwapPages = swapPages;
        Name = name;
        CgroupVersion = cgroupVersion;
        nodes = BuildNodes(ramPages, nodePresentPages);
        Clock = clock ?? new ManualClock();
        Log = new KernelLog(Clock);
        RootMemcg = new MemoryCgroup("/", null, PageCounterMax) { PageSize = pageSize };
        RootMemcg.tasks.Follow(this);
        memcgs["/"] = RootMemcg;
        RootCpuset = new Cpuset("/", null, NodesWithMemory, hardwall: true);
        cpusets["/"] = RootCpuset;
    }

    private static List<NumaNode> BuildNodes(Pages ram, IReadOnlyList<Pages>? sizes)
    {
        if (sizes is null || sizes.Count == 0) return new List<NumaNode> { new(0, ram) };
        if (sizes.Count > NodeMask.MaxNodes)
            throw new OomEngineException(OomError.InvalidArgument, $"At most {NodeMask.MaxNodes} NUMA nodes are modelled; {sizes.Count} were given.", sizes.Count);
        var list = new List<NumaNode>();
        for (int i = 0; i < sizes.Count; i++)
        {
            if (sizes[i].Value < 0) throw new OomEngineException(OomError.InvalidArgument, $"NUMA node {i} cannot have a negative size.", sizes[i]);
            list.Add(new NumaNode(i, sizes[i]));
        }
        return list;
    }

    /// <summary>The machine's name, used in the engine's messages (a label of the model; the kernel has none).</summary>
    public string Name { get; set; }

    /// <summary>
    /// The boot id (<c>/proc/sys/kernel/random/boot_id</c>) of the host a snapshot read, when it was a live host
    /// whose tree has one; null for a machine built, imported or read from a saved tree without it. Set-OomScoreAdj
    /// -Live writes only processes of a machine whose boot id is the running host's.
    /// </summary>
    public string? HostBootId { get; internal set; }
    /// <summary><c>PAGE_SIZE</c> in bytes (4096 by default): converts the page counters to bytes and kB.</summary>
    public int PageSize { get; }
    /// <summary><c>totalram_pages()</c>: managed RAM pages.</summary>
    public Pages TotalRamPages { get; }
    /// <summary><c>total_swap_pages</c>.</summary>
    public Pages TotalSwapPages { get; }
    /// <summary>The NUMA nodes, by id, with their present pages; one node 0 holding all RAM unless the machine was built with a split.</summary>
    public IReadOnlyList<NumaNode> Nodes => nodes;
    /// <summary><c>node_states[N_MEMORY]</c>: nodes with present memory.</summary>
    public NodeMask NodesWithMemory
    {
        get
        {
            ulong bits = 0;
            foreach (var n in nodes) if (n.PresentPages.Value > 0) bits |= 1UL << n.Id;
            return new NodeMask(bits);
        }
    }

    /// <summary>
    /// The kernel version whose formats the log uses (task table, gfp flag names); the seed's 6.12 by default.
    /// Setting it does not change <see cref="Scoring"/>: <see cref="UseKernel"/> sets both.
    /// </summary>
    public Version KernelVersion
    {
        get => Kernel.Version;
        set => Kernel = Kernels.KernelRules.For(value ?? throw new ArgumentNullException(nameof(value)));
    }
    /// <summary>The rules of <see cref="KernelVersion"/>: the formats the log is written in.</summary>
    public Kernels.KernelRules Kernel { get; private set; } = Kernels.KernelRules.Current;
    /// <summary>The oom_badness and selection rules in force (the seed's 6.x rules unless a report says otherwise).</summary>
    public Kernels.KernelRules Scoring { get; set; } = Kernels.KernelRules.Current;

    /// <summary>Makes this machine run <paramref name="release"/>: its log formats and its scoring rules.</summary>
    public void UseKernel(Version release)
    {
        KernelVersion = release;
        Scoring = Kernel;
    }
    /// <summary>How long a killed process takes to exit when nothing holds it.</summary>
    public Jiffies DefaultExitLatency { get; set; } = new(5);
    /// <summary><see cref="DefaultExitLatency"/> as a bare count of jiffies (what PowerShell and the machine document read).</summary>
    public long DefaultExitLatencyJiffies { get => DefaultExitLatency.Value; set => DefaultExitLatency = new(value); }
    /// <summary>CONFIG_HZ: jiffies per second.</summary>
    public int Hz { get; set; } = 250;
    /// <summary>Which memory-controller interface is mounted: v1 (memsw, per-cgroup swappiness) or v2 (swap.max, oom.group).</summary>
    public CgroupVersion CgroupVersion { get; }
    /// <summary><c>vm.swappiness</c>.</summary>
    public int VmSwappiness { get; set; } = 60;

    /// <summary><c>vm.panic_on_oom</c>: 0, 1 (unconstrained OOMs) or 2 (every OOM).</summary>
    public int PanicOnOom
    {
        get => panicOnOom;
        set
        {
            if (value < 0 || value > 2) throw new OomEngineException(OomError.InvalidArgument, $"vm.panic_on_oom takes 0, 1 or 2; {value} is not.", value);
            panicOnOom = value;
        }
    }
    /// <summary><c>vm.oom_kill_allocating_task</c>.</summary>
    public bool OomKillAllocatingTask { get; set; }
    /// <summary><c>vm.oom_dump_tasks</c>.</summary>
    public bool OomDumpTasks { get; set; } = true;
    /// <summary><c>oom_killer_disabled</c>.</summary>
    public bool OomKillerDisabled { get; internal set; }
    /// <summary><c>oom_victims</c>: victims marked and not yet exited.</summary>
    public int OomVictims { get; internal set; }
    /// <summary>The once-per-boot "oom_adj is deprecated" warning has been printed.</summary>
    public bool OomAdjDeprecationWarned { get; internal set; }
    /// <summary><c>/proc/vmstat oom_kill</c>.</summary>
    public long OomKillCount { get; internal set; }
    /// <summary>
    /// The host's <c>/proc/vmstat</c> <c>oom_kill</c> counter (OOM_KILL, counted by the kernel's
    /// <c>__oom_kill_process</c> since boot) as a host snapshot read it; null when it was not read (a modelled
    /// machine, or no vmstat). Unlike <see cref="OomKillCount"/> the model never moves it.
    /// </summary>
    public long? VmstatOomKill { get; set; }
    /// <summary>The panic message once the machine has panicked.</summary>
    public string? PanicMessage { get; internal set; }

    /// <summary>
    /// Pages in use that the page allocator cannot reclaim (anonymous and shmem) as measured, moved since by charges,
    /// exits and reaping; null when unmeasured: the processes' anonymous and shmem pages count then.
    /// </summary>
    public Pages? UsedPages { get; set; }

    /// <summary><c>NR_SLAB_UNRECLAIMABLE_B</c> in pages, for should_dump_unreclaim_slab.</summary>
    public Pages SlabUnreclaimablePages { get; set; }
    /// <summary>All LRU pages (active/inactive anon and file, isolated, unevictable).</summary>
    public Pages LruPages { get; set; }

    /// <summary><c>root_mem_cgroup</c>: the root of the memory cgroup hierarchy, with no limit (<see cref="PageCounterMax"/>).</summary>
    public MemoryCgroup RootMemcg { get; private set; }
    /// <summary><c>top_cpuset</c>: the root cpuset, hardwalled, allowed every node with memory.</summary>
    public Cpuset RootCpuset { get; private set; }
    /// <summary>The machine's clock (simulated time since boot, a <see cref="ManualClock"/> unless one was given): <see cref="Jiffies"/> and the log's stamps come from it.</summary>
    public IClock Clock { get; private set; }
    /// <summary>The kernel ring buffer the OOM killer's printk lines go to.</summary>
    public KernelLog Log { get; private set; }

    /// <summary>The OOM notifier chain (<c>register_oom_notifier</c>): each returns the pages it freed.</summary>
    public IList<Func<long>> OomNotifiers { get; private set; } = new List<Func<long>>();

    internal RateLimit OomKillRateLimit { get; private set; } = new("oom_kill_process");
    internal RateLimit PagefaultRateLimit { get; private set; } = new("pagefault_out_of_memory");

    /// <summary><c>PAGE_COUNTER_MAX</c>: LONG_MAX / PAGE_SIZE, the "unlimited" page-counter value.</summary>
    public Pages PageCounterMax => new(long.MaxValue / PageSize);

    /// <summary>The kernel's <c>jiffies</c>: the ticks of <see cref="Hz"/> the clock has counted since boot.</summary>
    public Jiffies Now => Units.Jiffies.FromNanoseconds(Clock.Nanoseconds, Hz);

    /// <summary><see cref="Now"/> as a bare count (what PowerShell and the tests read).</summary>
    public long Jiffies => Now.Value;

    /// <summary>Processes in <c>for_each_process</c> order (creation order).</summary>
    public IReadOnlyList<OomTask> Tasks => tasks;
    /// <summary>Every memory cgroup, the root first, in pre-order (<c>css_next_descendant_pre</c>).</summary>
    public IEnumerable<MemoryCgroup> Cgroups => RootMemcg.SubtreePreOrder();
    /// <summary>Every cpuset, the root one included.</summary>
    public IEnumerable<Cpuset> Cpusets => cpusets.Values;

    /// <summary><c>find_task_by_pid_ns()</c>: the process with <paramref name="pid"/>; null when there is none.</summary>
    public OomTask? FindTask(int pid) => byPid.TryGetValue(pid, out var t) ? t : null;

    /// <summary>The process with <paramref name="pid"/>; throws <see cref="OomEngineException"/> (<see cref="OomError.TaskNotFound"/>) when there is none.</summary>
    public OomTask GetTask(int pid) =>
        FindTask(pid) ?? throw new OomEngineException(OomError.TaskNotFound, $"Machine '{Name}' has no process with pid {pid}.", pid);

    /// <summary>The memory cgroup at <paramref name="path"/> (any spelling <see cref="CgroupPath.Canonical"/> takes: "/" is the root, "//x", "x/" and "/./x" are "/x"); null when there is none.</summary>
    public MemoryCgroup? FindCgroup(string path) => memcgs.TryGetValue(NormalizePath(path), out var c) ? c : null;

    /// <summary>The memory cgroup at <paramref name="path"/>; throws <see cref="OomEngineException"/> (<see cref="OomError.CgroupNotFound"/>) when there is none.</summary>
    public MemoryCgroup GetCgroup(string path) =>
        FindCgroup(path) ?? throw new OomEngineException(OomError.CgroupNotFound, $"Machine '{Name}' has no memory cgroup '{path}' (a cgroup must be created before it is used).", path);

    /// <summary>The cpuset at <paramref name="path"/> ("/" is the root cpuset); null when there is none.</summary>
    public Cpuset? FindCpuset(string path) => cpusets.TryGetValue(NormalizePath(path), out var c) ? c : null;

    /// <summary>The cpuset at <paramref name="path"/>; throws <see cref="OomEngineException"/> (<see cref="OomError.CpusetNotFound"/>) when there is none.</summary>
    public Cpuset GetCpuset(string path) =>
        FindCpuset(path) ?? throw new OomEngineException(OomError.CpusetNotFound, $"Machine '{Name}' has no cpuset '{path}'.", path);

    /// <summary>Every path that enters the machine goes through <see cref="CgroupPath.Canonical"/>.</summary>
    internal static string NormalizePath(string path) => CgroupPath.Canonical(path);

    /// <summary>The machine's <see cref="Name"/>.</summary>
    public override string ToString() => Name;
}
