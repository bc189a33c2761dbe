using System.Collections.Generic;
using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Model;
using OomTools.Engine.Proc;
using OomTools.Engine.Units;

namespace OomTools.Commands;

/// <summary>
/// Set-OomTask: changes a process — its oom_score_adj, memory counters, cgroup or cpuset, or the states the
/// OOM killer tests. Every value is checked before anything changes.
/// </summary>
[Cmdlet(VerbsCommon.Set, "OomTask", SupportsShouldProcess = true, DefaultParameterSetName = FilterSet)]
[OutputType(typeof(OomTask))]
public sealed class SetOomTaskCommand : OomCmdlet
{
    private const string FilterSet = "Filter", ByObjectSet = "ByObject";

    /// <summary>
    /// The machine the processes are on; piped OomTask objects must belong to it (TaskNotFound otherwise).
    /// </summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>Change the processes with these pids.</summary>
    [Parameter(ParameterSetName = FilterSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    public int[]? Pid { get; set; }

    /// <summary>
    /// Change the processes whose comm matches one of these names (wildcards allowed, case ignored); with -Pid a
    /// process must match both.
    /// </summary>
    [Parameter(ParameterSetName = FilterSet, Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.TaskNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Tasks from Get-OomTask.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public OomTask[] InputObject { get; set; } = null!;

    /// <summary>
    /// The new oom_score_adj, -1000..1000; it also sets oom_score_adj_min and is copied to the processes sharing the
    /// mm.
    /// </summary>
    [Parameter]
    [ValidateRange(-1000, 1000)]
    public int? OomScoreAdj { get; set; }

    /// <summary>
    /// The new oom_score_adj_min, applied after -OomScoreAdj; recorded only, never part of the OOM decision.
    /// </summary>
    [Parameter]
    [ValidateRange(-1000, 1000)]
    public int? OomScoreAdjMin { get; set; }

    /// <summary>The new anonymous rss (MM_ANONPAGES, rounded up to pages): bytes (512MB) or a number with a unit ('512M', '6GiB').</summary>
    [Parameter, Size(SizeKind.Process)] public MemorySize? AnonRss { get; set; }
    /// <summary>The new file-backed rss in bytes (MM_FILEPAGES).</summary>
    [Parameter, Size(SizeKind.Process)] public MemorySize? FileRss { get; set; }
    /// <summary>The new shmem rss in bytes (MM_SHMEMPAGES).</summary>
    [Parameter, Size(SizeKind.Process)] public MemorySize? ShmemRss { get; set; }
    /// <summary>The new swapped-out memory in bytes (MM_SWAPENTS, in pages).</summary>
    [Parameter, Size(SizeKind.Process)] public MemorySize? Swap { get; set; }
    /// <summary>The new anonymous rss in pages, instead of -AnonRss.</summary>
    [Parameter] public Pages? AnonPages { get; set; }
    /// <summary>The new file rss in pages, instead of -FileRss.</summary>
    [Parameter] public Pages? FilePages { get; set; }
    /// <summary>The new shmem rss in pages, instead of -ShmemRss.</summary>
    [Parameter] public Pages? ShmemPages { get; set; }
    /// <summary>The new swap entry count in pages, instead of -Swap.</summary>
    [Parameter] public Pages? SwapPages { get; set; }
    /// <summary>The new page-table size in bytes (mm_pgtables_bytes).</summary>
    [Parameter, Size(SizeKind.Exact)] public MemorySize? PageTableBytes { get; set; }

    /// <summary>
    /// Move the processes to this memory cgroup (it must exist); a moved process joins the end of its task list.
    /// </summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.CgroupPathCompleter))]
    public string? Cgroup { get; set; }

    /// <summary>Move the processes to this cpuset (it must exist); their mems_allowed become its mems.</summary>
    [Parameter] public string? Cpuset { get; set; }

    /// <summary>
    /// Set, or with -Exiting:$false clear, PF_EXITING: a single-threaded exiting process gets reserves instead of a
    /// kill.
    /// </summary>
    [Parameter] public SwitchParameter Exiting { get; set; }
    /// <summary>
    /// Set or clear SIGNAL_GROUP_EXIT, as after kill -9: the process then exits on the timeline after its exit latency.
    /// </summary>
    [Parameter] public SwitchParameter GroupExiting { get; set; }
    /// <summary>
    /// Set or clear "dumping core" (task_will_free_mem is then false); set this way the dump lasts until cleared (see
    /// -CoreDumpFor).
    /// </summary>
    [Parameter] public SwitchParameter CoreDumping { get; set; }
    /// <summary>Set or clear in_vfork: a vfork child still on its parent's mm, skipped by oom_badness.</summary>
    [Parameter] public SwitchParameter InVfork { get; set; }
    /// <summary>Set or clear oom_flag_origin (swapoff, KSM unmerging): chosen first, with LONG_MAX points.</summary>
    [Parameter] public SwitchParameter OomOrigin { get; set; }
    /// <summary>Set or clear "frozen" (cgroup freezer); mark_oom_victim thaws a frozen victim so it can exit.</summary>
    [Parameter] public SwitchParameter Frozen { get; set; }

    /// <summary>How long it takes this process to exit once killed, in milliseconds of simulated time.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public long? ExitLatency { get; set; }

    /// <summary>A writer holds the process's mmap_lock for this many milliseconds from now (uninterruptible sleep); 0 releases it.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public long? HoldMmapLock { get; set; }

    /// <summary>The process is dumping core for this many milliseconds from now; 0 ends the dump.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public long? CoreDumpFor { get; set; }

    /// <summary>An MMU notifier that cannot run without blocking covers its memory (reaping is partial).</summary>
    [Parameter] public SwitchParameter MmuNotifierBlocks { get; set; }

    /// <summary>
    /// Part of the anonymous rss is still shared copy-on-write with this process (the parent it was forked from, or
    /// a sibling forked from the same parent).
    /// </summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    [ValidateRange(1, int.MaxValue)]
    public int? CowSharedWith { get; set; }
    /// <summary>Bytes still shared copy-on-write (default: the other process's pool, or all its private anonymous memory).</summary>
    [Parameter, Size(SizeKind.Process)] public MemorySize? CowSharedSize { get; set; }
    /// <summary>The copy-on-write share in pages, instead of -CowSharedSize.</summary>
    [Parameter] public Pages? CowSharedPages { get; set; }
    /// <summary>A MAP_SHARED anonymous region the processes map from now on (created when new, joined when it exists).</summary>
    [Parameter] public string? SharedAnonRegion { get; set; }
    /// <summary>A tmpfs or /dev/shm file the processes map from now on (created when new, joined when it exists).</summary>
    [Parameter] public string? ShmemFile { get; set; }
    /// <summary>Bytes resident in a new -SharedAnonRegion or -ShmemFile.</summary>
    [Parameter, Size(SizeKind.Process)] public MemorySize? SharedSize { get; set; }
    /// <summary>The new region's or file's size in pages, instead of -SharedSize.</summary>
    [Parameter] public Pages? SharedPages { get; set; }
    /// <summary>Unlink the -ShmemFile (rm while mapped): its pages go with its last mapping from now on.</summary>
    [Parameter] public SwitchParameter Unlinked { get; set; }

    /// <summary>Write each changed OomTask to the pipeline.</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// Changes each process the filters or the piped objects name, every value checked before ShouldProcess; with no
    /// filter at all the command stops (InvalidArgument).
    /// </summary>
    protected override void ProcessRecord()
    {
        Machine = ResolveMachine(Machine);
        if (ParameterSetName == FilterSet && Pid is null && Name is null)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Say which processes to change: -Pid, -Name or pipe tasks in."),
                ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, Machine));
        }
        Sizes.WarnImplausible(this, Machine.PageSize);
        var refused = new List<ErrorRecord>();
        var changed = new List<OomTask>();
        Try(() => Locked(Machine, () =>
        {
            // All or nothing: every process named and every value is checked before the first change, so a call
            // that names one missing pid or one process the change does not fit changes none of them; the lock
            // keeps another runspace from changing the machine between the checks and the changes.
            var tasks = ParameterSetName == ByObjectSet
                ? AllOrNothing.Distinct(InputObject)
                : TaskFilter.Select(Machine, Pid, Name, null, e => refused.Add(ToErrorRecord(e)));
            // Checked before ShouldProcess, so -WhatIf reports what would be refused.
            foreach (var t in tasks)
                AllOrNothing.Check(() => Machine.CheckUpdate(t, Update(Machine.PageSize)), ex => refused.Add(ToErrorRecord(ex, t)));
            if (refused.Count > 0) return;
            foreach (var t in tasks)
            {
                if (!ShouldProcess(t.ToString(), "Set process")) continue;
                AllOrNothing.Check(() =>
                {
                    Machine.UpdateTask(t, Update(Machine.PageSize));
                    changed.Add(t);
                }, ex => refused.Add(ToErrorRecord(ex, t)));
            }
        }), Machine);
        AllOrNothing.Refuse(this, refused);
        if (PassThru) foreach (var t in changed) WriteObject(t);
    }

    /// <summary>The change the bound parameters ask for; a size is given in bytes or in pages, not both.</summary>
    private OomTaskUpdate Update(int pageSize) => new()
    {
        OomScoreAdj = OomScoreAdj is { } a ? Engine.Units.OomScoreAdj.From(a) : null,
        OomScoreAdjMin = OomScoreAdjMin is { } b ? Engine.Units.OomScoreAdj.From(b) : null,
        AnonPages = Sizes.Pick("anonymous rss", AnonRss, AnonPages, pageSize),
        FilePages = Sizes.Pick("file rss", FileRss, FilePages, pageSize),
        ShmemPages = Sizes.Pick("shmem rss", ShmemRss, ShmemPages, pageSize),
        SwapEntries = Sizes.Pick("swap", Swap, SwapPages, pageSize),
        PageTableBytes = PageTableBytes?.Bytes,
        Cgroup = Cgroup,
        Cpuset = Cpuset,
        Exiting = Switch(nameof(Exiting), Exiting),
        GroupExiting = Switch(nameof(GroupExiting), GroupExiting),
        CoreDumping = Switch(nameof(CoreDumping), CoreDumping),
        InVfork = Switch(nameof(InVfork), InVfork),
        OomOrigin = Switch(nameof(OomOrigin), OomOrigin),
        Frozen = Switch(nameof(Frozen), Frozen),
        ExitLatency = Ms(ExitLatency),
        HoldMmapLock = Ms(HoldMmapLock),
        CoreDumpFor = Ms(CoreDumpFor),
        MmuNotifierBlocks = Switch(nameof(MmuNotifierBlocks), MmuNotifierBlocks),
        Shared = SharedMappings.From(CowSharedWith, Sizes.Pick("copy-on-write share", CowSharedSize, CowSharedPages, pageSize),
            SharedAnonRegion, ShmemFile, Sizes.Pick("shared size", SharedSize, SharedPages, pageSize), Switch(nameof(Unlinked), Unlinked)),
    };

    /// <summary>A switch changes its state only when it is given (-Exiting or -Exiting:$false).</summary>
    private bool? Switch(string name, SwitchParameter value) => IsBound(name) ? value.IsPresent : null;

    private static Milliseconds? Ms(long? value) => value is { } v ? new Milliseconds(v) : null;
}
