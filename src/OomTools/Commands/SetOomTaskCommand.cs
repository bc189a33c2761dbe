using System.Management.Automation;
using OomTools.Engine.Model;
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

    [Parameter(Mandatory = true)]
    [ValidateNotNull]
    public OomMachine Machine { get; set; } = null!;

    [Parameter(ParameterSetName = FilterSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    public int[]? Pid { get; set; }

    [Parameter(ParameterSetName = FilterSet, Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.TaskNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Tasks from Get-OomTask.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public OomTask[] InputObject { get; set; } = null!;

    [Parameter]
    [ValidateRange(-1000, 1000)]
    public int? OomScoreAdj { get; set; }

    [Parameter]
    [ValidateRange(-1000, 1000)]
    public int? OomScoreAdjMin { get; set; }

    [Parameter] public long? AnonRss { get; set; }
    [Parameter] public long? FileRss { get; set; }
    [Parameter] public long? ShmemRss { get; set; }
    [Parameter] public long? Swap { get; set; }
    [Parameter] public Pages? AnonPages { get; set; }
    [Parameter] public Pages? FilePages { get; set; }
    [Parameter] public Pages? ShmemPages { get; set; }
    [Parameter] public Pages? SwapPages { get; set; }
    [Parameter] public long? PageTableBytes { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(Completers.CgroupPathCompleter))]
    public string? Cgroup { get; set; }

    [Parameter] public string? Cpuset { get; set; }

    [Parameter] public SwitchParameter Exiting { get; set; }
    [Parameter] public SwitchParameter GroupExiting { get; set; }
    [Parameter] public SwitchParameter CoreDumping { get; set; }
    [Parameter] public SwitchParameter InVfork { get; set; }
    [Parameter] public SwitchParameter OomOrigin { get; set; }
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

    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == FilterSet && Pid is null && Name is null)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Say which processes to change: -Pid, -Name or pipe tasks in."),
                ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, Machine));
        }
        Try(() =>
        {
            var tasks = ParameterSetName == ByObjectSet
                ? InputObject
                : TaskFilter.Select(Machine, Pid, Name, null, e => WriteError(ToErrorRecord(e))).ToArray();
            foreach (var t in tasks) Apply(Machine, t);
        }, Machine);
    }

    private void Apply(OomMachine machine, OomTask task) => Try(() =>
    {
        var update = Update(machine.PageSize);
        // Checked before ShouldProcess, so -WhatIf reports what would be refused.
        machine.CheckUpdate(task, update);
        if (!ShouldProcess(task.ToString(), "Set process")) return;
        machine.UpdateTask(task, update);
        if (PassThru) WriteObject(task);
    }, task);

    /// <summary>The change the bound parameters ask for; a size is given in bytes or in pages, not both.</summary>
    private OomTaskUpdate Update(int pageSize) => new()
    {
        OomScoreAdj = OomScoreAdj is { } a ? Engine.Units.OomScoreAdj.From(a) : null,
        OomScoreAdjMin = OomScoreAdjMin is { } b ? Engine.Units.OomScoreAdj.From(b) : null,
        AnonPages = Sizes.Pick("anonymous rss", AnonRss, AnonPages, pageSize),
        FilePages = Sizes.Pick("file rss", FileRss, FilePages, pageSize),
        ShmemPages = Sizes.Pick("shmem rss", ShmemRss, ShmemPages, pageSize),
        SwapEntries = Sizes.Pick("swap", Swap, SwapPages, pageSize),
        PageTableBytes = PageTableBytes,
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
    };

    /// <summary>A switch changes its state only when it is given (-Exiting or -Exiting:$false).</summary>
    private bool? Switch(string name, SwitchParameter value) => IsBound(name) ? value.IsPresent : null;

    private static Milliseconds? Ms(long? value) => value is { } v ? new Milliseconds(v) : null;
}
