using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Exit;
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

    [Parameter(Mandatory = true)]
    [ValidateNotNull]
    public OomMachine Machine { get; set; } = null!;

    [Parameter(ParameterSetName = FilterSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    public int[]? Pid { get; set; }

    [Parameter(ParameterSetName = FilterSet, Position = 0)]
    [SupportsWildcards]
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
        if (!ReferenceEquals(machine.FindTask(task.Pid), task))
            throw new OomEngineException(OomError.TaskNotFound, $"Process {task} is not on machine '{machine.Name}'.", task.Pid);
        int pageSize = machine.PageSize;
        var anon = Sizes.Pick("anonymous rss", AnonRss, AnonPages, pageSize);
        var file = Sizes.Pick("file rss", FileRss, FilePages, pageSize);
        var shmem = Sizes.Pick("shmem rss", ShmemRss, ShmemPages, pageSize);
        var swap = Sizes.Pick("swap", Swap, SwapPages, pageSize);
        if (PageTableBytes is < 0) throw new OomEngineException(OomError.NegativeSize, $"Page-table bytes cannot be negative ({PageTableBytes}).", PageTableBytes);
        var adj = OomScoreAdj is { } a ? Engine.Units.OomScoreAdj.From(a) : (Engine.Units.OomScoreAdj?)null;
        var adjMin = OomScoreAdjMin is { } b ? Engine.Units.OomScoreAdj.From(b) : (Engine.Units.OomScoreAdj?)null;
        bool changesMemory = anon is not null || file is not null || shmem is not null || swap is not null || PageTableBytes is not null;
        if (changesMemory && task.Mm is null)
            throw new OomEngineException(OomError.InvalidState, $"Process {task} has no mm whose counters could change.", task.Pid);
        var cg = Cgroup is null ? null : machine.GetCgroup(Cgroup);
        var cs = Cpuset is null ? null : machine.GetCpuset(Cpuset);

        if (!ShouldProcess(task.ToString(), "Set process")) return;
        if (adj is { } newAdj) machine.SetOomScoreAdj(task, newAdj);
        if (adjMin is { } newMin) task.OomScoreAdjMin = newMin;
        if (task.Mm is { } mm)
        {
            if (anon is { } x1) mm.AnonPages = x1;
            if (file is { } x2) mm.FilePages = x2;
            if (shmem is { } x3) mm.ShmemPages = x3;
            if (swap is { } x4) mm.SwapEntries = x4;
            if (PageTableBytes is { } x5) mm.PageTableBytes = x5;
        }
        if (cg is not null) machine.MoveTask(task, cg);
        if (cs is not null) machine.MoveTask(task, cs);
        if (IsBound(nameof(Exiting))) task.Exiting = Exiting;
        if (IsBound(nameof(GroupExiting))) task.GroupExiting = GroupExiting;
        if (IsBound(nameof(CoreDumping))) task.CoreDumping = CoreDumping;
        if (IsBound(nameof(InVfork))) task.InVfork = InVfork;
        if (IsBound(nameof(OomOrigin))) task.OomOrigin = OomOrigin;
        if (IsBound(nameof(Frozen))) task.Frozen = Frozen;
        long Jiffies(long ms) => ms * machine.Hz / 1000;
        if (ExitLatency is { } lat) task.ExitLatencyJiffies = Jiffies(lat);
        if (HoldMmapLock is { } hold && task.Mm is { } lockMm) lockMm.MmapLockReleaseAt = hold == 0 ? null : machine.Jiffies + Jiffies(hold);
        if (CoreDumpFor is { } dump)
        {
            task.CoreDumping = dump > 0;
            task.CoreDumpUntil = dump > 0 ? machine.Jiffies + Jiffies(dump) : null;
        }
        if (IsBound(nameof(MmuNotifierBlocks)) && task.Mm is { } nmm) nmm.MmuNotifierBlocks = MmuNotifierBlocks;
        // A dying process that is no longer held (or was just sent SIGKILL) goes on to exit.
        machine.Exit.WakeUpProcess(task);
        if (PassThru) WriteObject(task);
    }, task);
}
