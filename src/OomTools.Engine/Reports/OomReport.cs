using System;
using System.Collections.Generic;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Reports;

/// <summary>
/// One OOM event read back from kernel log text: when and where it happened, what allocation triggered it,
/// the constraint, the machine's size, every task-table row, and the kernel's choice. <see cref="Machine"/> is
/// the machine rebuilt from it, an ordinary OomMachine to replay and change.
/// </summary>
public sealed class OomReport
{
    private readonly List<string> notReplayable = new();
    internal readonly List<OomReportTask> tasks = new();
    internal readonly List<ReportLine> lines = new();
    internal readonly List<int> killedPids = new();
    internal readonly List<int> reapedPids = new();

    /// <summary>The file the event came from, or "(pipeline)".</summary>
    public string Source { get; internal set; } = "(pipeline)";
    /// <summary>1-based position of this event among the source's events.</summary>
    public int Index { get; internal set; }
    /// <summary>The stamp of the event's first line (dmesg seconds, dmesg -T date or syslog date).</summary>
    public string? Time { get; internal set; }

    /// <summary>The kernel release as printed (<c>6.18.44-fc-v657</c>), when a line shows it.</summary>
    public string? KernelRelease { get; internal set; }
    /// <summary>Major.minor of <see cref="KernelRelease"/>.</summary>
    public Version? KernelVersion { get; internal set; }

    // The allocation that triggered the OOM (the "invoked oom-killer" line and dump_stack's CPU line).
    /// <summary>
    /// The allocating task's <c>comm</c>: the word before <c>invoked oom-killer</c>, else the <c>Comm:</c> of
    /// dump_stack's CPU line (<c>comm:</c> of the older <c>Pid:</c> line); null when the report has neither.
    /// </summary>
    public string? TriggerName { get; internal set; }
    /// <summary>
    /// The allocating task's pid, from dump_stack's <c>CPU: N PID: N Comm: ...</c> line (or the older
    /// <c>Pid: N, comm: ...</c> line); null when the report has neither.
    /// </summary>
    public int? TriggerPid { get; internal set; }
    /// <summary>
    /// The allocation's <c>gfp_mask</c> (<c>oc->gfp_mask</c>) as a number, from the invoked line's
    /// <c>gfp_mask=0x...</c>; null when the report has no invoked line. Kernels before <c>%pGg</c> used another
    /// bit layout, so decode it only when <see cref="GfpFlags"/> is set.
    /// </summary>
    public uint? GfpMaskValue { get; internal set; }
    /// <summary>The gfp mask as the report printed it, e.g. <c>0xcc0(GFP_KERNEL)</c>.</summary>
    public string? GfpMask { get; internal set; }
    /// <summary>The decoded flag names (from the report, or decoded here when it printed none).</summary>
    public string? GfpFlags { get; internal set; }
    /// <summary>
    /// The allocation's order (<c>oc->order</c>: 2^order pages) from the invoked line's <c>order=</c>; -1 for an OOM
    /// forced by sysrq-f, 0 when the report has no invoked line.
    /// </summary>
    public int Order { get; internal set; }
    /// <summary>
    /// The allocating task's <c>oom_score_adj</c> from the invoked line's <c>oom_score_adj=</c>; null when the report
    /// has no invoked line.
    /// </summary>
    public int? TriggerOomScoreAdj { get; internal set; }

    /// <summary>
    /// What <c>constrained_alloc</c> decided: the <c>oom-kill:constraint=</c> value, or
    /// <see cref="OomConstraint.Memcg"/> when only the memcg lines (<c>memory: usage</c>, <c>Task in ... killed as a
    /// result of limit of</c>, <c>Memory cgroup out of memory</c>) show it; null when no line tells.
    /// </summary>
    public OomConstraint? Constraint { get; internal set; }
    /// <summary>The memory cgroup whose limit was hit (<c>oom_memcg=</c>); null for a global OOM.</summary>
    public string? OomMemcg { get; internal set; }
    /// <summary>The victim's memory cgroup (<c>task_memcg=</c>).</summary>
    public string? TaskMemcg { get; internal set; }
    /// <summary>
    /// The allocation's nodemask (<c>oc->nodemask</c>) as the kernel's node list (<c>0-1</c>), from the
    /// <c>nodemask=</c> of the <c>oom-kill:</c> line or, before 4.19, of the invoked line. Null when the report shows
    /// none or <c>oom-kill:</c> prints <c>(null)</c> (no mempolicy mask); an old invoked line's <c>(null)</c> is kept
    /// as that text.
    /// </summary>
    public string? Nodemask { get; internal set; }
    /// <summary>
    /// The allocating task's cpuset name as <c>cpuset_print_current_mems_allowed</c> printed it (<c>cpuset=</c> in the
    /// <c>oom-kill:</c> line, or the older <c>comm cpuset=... mems_allowed=...</c> line); <c>/</c> is the root; null
    /// when the report has neither.
    /// </summary>
    public string? Cpuset { get; internal set; }
    /// <summary>
    /// The allocating task's <c>mems_allowed</c> as a node list (<c>0-1</c>), from the same line as
    /// <see cref="Cpuset"/>; null when the report has neither.
    /// </summary>
    public string? MemsAllowed { get; internal set; }

    // Mem-Info totals (global OOMs), typed; the *Kb and Pages* numbers beside them are what views and scripts read.
    /// <summary><c>N pages RAM</c>: the present pages, reserved ones included.</summary>
    public Pages? Ram { get; internal set; }
    /// <summary><c>N pages reserved</c>.</summary>
    public Pages? Reserved { get; internal set; }
    /// <summary><c>Total swap = N kB</c>.</summary>
    public Kibibytes? TotalSwap { get; internal set; }
    /// <summary><c>Free swap  = N kB</c>.</summary>
    public Kibibytes? FreeSwap { get; internal set; }
    /// <summary><see cref="Ram"/> as a number of pages.</summary>
    public long? PagesRam => Ram?.Value;
    /// <summary><see cref="Reserved"/> as a number of pages.</summary>
    public long? PagesReserved => Reserved?.Value;
    /// <summary><see cref="TotalSwap"/> as a number of kB.</summary>
    public long? TotalSwapKb => TotalSwap?.Value;
    /// <summary><see cref="FreeSwap"/> as a number of kB.</summary>
    public long? FreeSwapKb => FreeSwap?.Value;
    /// <summary>
    /// The Mem-Info <c>hugetlb_show_meminfo_node</c> lines as printed, one per node and huge page size
    /// (<c>Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB</c>); empty when none.
    /// </summary>
    public IReadOnlyList<string> Hugepages => hugepages;
    internal readonly List<string> hugepages = new();

    // mem_cgroup_print_oom_meminfo (memcg OOMs): "<what>: usage N kB, limit N kB".
    /// <summary>The <c>memory:</c> line's usage.</summary>
    public Kibibytes? MemcgUsage { get; internal set; }
    /// <summary>The <c>memory:</c> line's limit.</summary>
    public Kibibytes? MemcgLimit { get; internal set; }
    /// <summary>The v1 <c>kmem: usage</c> line: kernel memory charged to the cgroup, counted in its memory usage too.</summary>
    public Kibibytes? KmemUsage { get; internal set; }
    /// <summary>The <c>memory+swap:</c> line's usage (cgroup v1).</summary>
    public Kibibytes? MemswUsage { get; internal set; }
    /// <summary>The <c>memory+swap:</c> line's limit (cgroup v1).</summary>
    public Kibibytes? MemswLimit { get; internal set; }
    /// <summary>The <c>swap:</c> line's usage (cgroup v2).</summary>
    public Kibibytes? SwapUsage { get; internal set; }
    /// <summary>The <c>swap:</c> line's limit (cgroup v2).</summary>
    public Kibibytes? SwapLimit { get; internal set; }
    /// <summary>
    /// The charge lines of the <c>Memory cgroup stats for</c> block (anon, file, shmem, in bytes); null when the
    /// report has none.
    /// </summary>
    public MemcgStatLines? MemcgStats { get; internal set; }
    /// <summary><see cref="MemcgUsage"/> as a number of kB.</summary>
    public long? MemcgUsageKb => MemcgUsage?.Value;
    /// <summary><see cref="MemcgLimit"/> as a number of kB.</summary>
    public long? MemcgLimitKb => MemcgLimit?.Value;
    /// <summary><see cref="MemswUsage"/> as a number of kB.</summary>
    public long? MemswUsageKb => MemswUsage?.Value;
    /// <summary><see cref="MemswLimit"/> as a number of kB.</summary>
    public long? MemswLimitKb => MemswLimit?.Value;
    /// <summary><see cref="SwapUsage"/> as a number of kB.</summary>
    public long? SwapUsageKb => SwapUsage?.Value;
    /// <summary><see cref="SwapLimit"/> as a number of kB.</summary>
    public long? SwapLimitKb => SwapLimit?.Value;
    /// <summary>v1 when the report has <c>memory+swap:</c>, v2 when it has <c>swap:</c>.</summary>
    public CgroupVersion? CgroupVersion { get; internal set; }

    /// <summary>The task-table rows in table order (the kernel's scan order).</summary>
    public IReadOnlyList<OomReportTask> Tasks => tasks;
    /// <summary>
    /// True when the report has <c>dump_tasks</c>' header line (<c>[  pid  ]   uid  tgid total_vm ...</c>), even with
    /// no rows after it; false when <c>vm.oom_dump_tasks</c> was off or the table was lost.
    /// </summary>
    public bool HasTaskTable { get; internal set; }
    /// <summary>The header's column names, e.g. <c>uid tgid total_vm rss nr_ptes swapents oom_score_adj name</c>.</summary>
    public IReadOnlyList<string>? TaskTableColumns { get; internal set; }

    /// <summary>The process the kernel chose (<c>Kill process N</c>, <c>oom-kill:</c>, <c>Killed process N</c>).</summary>
    public int? SelectedPid { get; internal set; }
    /// <summary>
    /// The chosen task's <c>comm</c>, from the same line as <see cref="SelectedPid"/>; null when the report names no
    /// victim.
    /// </summary>
    public string? SelectedName { get; internal set; }
    /// <summary>The score old kernels printed with <c>Kill process ... score N</c>.</summary>
    public long? SelectedScore { get; internal set; }
    /// <summary>
    /// The thread the kernel reached the chosen process through (<c>find_lock_task_mm</c>): its row's printed pid
    /// and the <c>Killed process</c> line's. Equal to <see cref="SelectedPid"/> unless the group leader had exited.
    /// </summary>
    public int? SelectedTid { get; internal set; }
    /// <summary>
    /// Every process the kernel reported as killed in this event, by tgid (a <c>Killed process</c> line printed
    /// with a thread's id is named by its process, as <see cref="SelectedPid"/> is).
    /// </summary>
    public IReadOnlyList<int> KilledPids => killedPids;
    /// <summary>The ids the <c>Killed process</c> lines printed, beside <see cref="KilledPids"/>: the thread that held the mm.</summary>
    public IReadOnlyList<int> KilledTids => killedTids;
    internal readonly List<int> killedTids = new();
    /// <summary>The <c>total-vm:</c> of the first <c>Killed process</c> line (it tells the page size).</summary>
    internal Kibibytes? KilledTotalVm;
    internal int? KilledTotalVmPid;

    /// <summary>The <c>Killed process</c> line's prefix: "Out of memory" or "Memory cgroup out of memory".</summary>
    public string? KillMessage { get; internal set; }
    /// <summary>The memory.oom.group cgroup whose tasks were all killed, if any.</summary>
    public string? OomGroup { get; internal set; }
    /// <summary>The kernel found nothing to kill ("Out of memory and no killable processes...").</summary>
    public bool NoKillableProcesses { get; internal set; }
    /// <summary>"oom_kill_process: N callbacks suppressed" printed just before this event.</summary>
    public int? SuppressedBefore { get; internal set; }

    /// <summary>
    /// True when the event can be replayed: the report had what a <see cref="Machine"/> needs (a task table, the RAM
    /// or the memory cgroup's limit) and it was rebuilt. What else the report lacks (its "invoked oom-killer" line,
    /// the kernel's choice) does not stop a replay: it is named in <see cref="Assumptions"/>, and the replay runs
    /// without it. When false, <see cref="NotReplayableReasons"/> says why.
    /// </summary>
    public bool Replayable { get { EnsureRebuilt(); return notReplayable.Count == 0 && machine is not null; } }
    /// <summary>Why the event cannot be replayed: what is missing for a machine (empty when it can be).</summary>
    public IReadOnlyList<string> NotReplayableReasons { get { EnsureRebuilt(); return notReplayable; } }
    /// <summary><see cref="NotReplayableReasons"/> joined with <c>"; "</c>; null when the event is replayable.</summary>
    public string? NotReplayableReason { get { EnsureRebuilt(); return notReplayable.Count == 0 ? null : string.Join("; ", notReplayable); } }

    /// <summary>The lines of this event with their line numbers.</summary>
    public IReadOnlyList<ReportLine> Lines => lines;

    /// <summary>The machine rebuilt from the report (null when it cannot be).</summary>
    public OomMachine? Machine { get { EnsureRebuilt(); return machine; } internal set => machine = value; }
    private OomMachine? machine;
    /// <summary>
    /// Every guess the rebuild made, one sentence each: what the report does not show and the machine still needs
    /// (the page size, swap, the kernel version, the processes' cgroups, root's CAP_SYS_ADMIN, the allocation),
    /// and what was inferred from the kernel's own output (<see cref="Inferred"/>).
    /// </summary>
    public IReadOnlyList<string> Assumptions { get { EnsureRebuilt(); return assumptions; } }
    internal readonly List<string> assumptions = new();
    internal readonly List<string> inferenceNotes = new();

    /// <summary>
    /// The hidden state the rebuild inferred because the plain replay disagreed with what the kernel printed (a
    /// vfork child, a CLONE_VM pair, root without CAP_SYS_ADMIN), and copy-on-write pages charged outside the
    /// cgroup that the memcg stat lines show (<see cref="MemcgStats"/>: they change what a kill frees, never the
    /// choice); empty when nothing was inferred. The <see cref="Machine"/> has it applied; each is also named in
    /// <see cref="Assumptions"/>.
    /// </summary>
    public IReadOnlyList<string> Inferred { get { EnsureRebuilt(); return inferred; } }
    internal readonly List<string> inferred = new();
    /// <summary>
    /// Whether the machine as first rebuilt, before anything was inferred, replayed to the kernel's choice (and
    /// printed score); null when the report names no choice or has no machine.
    /// </summary>
    public bool? AgreedBeforeInference { get { EnsureRebuilt(); return agreedBeforeInference; } internal set => agreedBeforeInference = value; }
    private bool? agreedBeforeInference;

    // For pipeline binding into Invoke-OutOfMemory.
    /// <summary>The memcg to replay in (<see cref="OomMemcg"/> for a memcg OOM).</summary>
    public string? Cgroup => Constraint == OomConstraint.Memcg ? OomMemcg : null;
    /// <summary>The trigger's pid when it is in the rebuilt machine.</summary>
    public int? Current => TriggerPid is { } p && Machine?.FindTask(p) is not null ? p : null;

    // The machine is rebuilt (and the replay that checks it run) the first time a property that shows it is read:
    // an import that only counts or filters its reports never pays for machines no one looks at. What the rebuild
    // reads is fixed when the parser closes the event, so a late rebuild makes the same machine.
    private volatile Action<OomReport>? rebuild;
    private bool rebuilding;

    /// <summary>Leaves the machine's rebuild to the first read of <see cref="Machine"/> and the properties that depend on it.</summary>
    internal void RebuildLater(Action<OomReport> build) => rebuild = build;

    private void EnsureRebuilt()
    {
        if (rebuild is null) return;
        lock (notReplayable)
        {
            // A read from inside the rebuild itself (it replays this report) sees the machine as built so far.
            if (rebuild is not { } build || rebuilding) return;
            rebuilding = true;
            try { build(this); }
            finally { rebuild = null; rebuilding = false; }
        }
    }

    internal void NotReplayable(string why)
    {
        if (!notReplayable.Contains(why)) notReplayable.Add(why);
    }

    /// <summary>The assumption a report without its "invoked oom-killer" line is replayed under (one of <see cref="Assumptions"/>).</summary>
    public const string NoInvokedLine = "the allocation is not shown (no 'invoked oom-killer' line): order 0 with GFP_KERNEL assumed";
    /// <summary>The note on a report that does not say whom the kernel chose.</summary>
    public const string NoChoice = "the report does not say which process the kernel chose: the replay has nothing to compare with";

    /// <summary>Something the report lacks that a replay can do without: named in <see cref="Assumptions"/>.</summary>
    internal void Missing(string what)
    {
        if (!assumptions.Contains(what)) assumptions.Add(what);
    }

    /// <summary>
    /// <c>Source #Index: trigger -> pid (name)</c>, or <c>no victim</c>, with <c>[not replayable]</c> after it when
    /// the event cannot be replayed.
    /// </summary>
    public override string ToString() =>
        $"{Source} #{Index}: {TriggerName ?? "?"} -> {(SelectedPid is { } p ? $"{p} ({SelectedName})" : "no victim")}{(Replayable ? "" : " [not replayable]")}";
}
