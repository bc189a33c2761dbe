using System.Management.Automation;
using OomTools.Engine.Model;
using OomTools.Engine.PageAlloc;
using OomTools.Engine.Timeline;

namespace OomTools.Commands;

/// <summary>
/// Set-OomCgroup: writes a memory cgroup's files as an administrator does — memory.max and v1 memory.oom_control's
/// oom_kill_disable — and lets the charges waiting in the cgroup's OOM go on (raising the limit or clearing
/// oom_kill_disable wakes them, as memcg1_oom_recover does). Writes what those charges then did.
/// </summary>
[Cmdlet(VerbsCommon.Set, "OomCgroup", SupportsShouldProcess = true)]
[OutputType(typeof(TimelineEvent), typeof(MemoryCgroup))]
public sealed class SetOomCgroupCommand : OomCmdlet
{
    /// <summary>The machine the cgroup is on.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>The cgroup path; it also binds from a piped cgroup's Path property.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completers.CgroupPathCompleter))]
    public string Cgroup { get; set; } = null!;

    /// <summary>A new memory.max (v1 memory.limit_in_bytes): bytes (1GB) or a number with a unit ('1G').</summary>
    [Parameter]
    [Alias("Limit")]
    [Size(SizeKind.Limit)]
    [ValidateRange(0, long.MaxValue)]
    public MemorySize? MemoryMax { get; set; }

    /// <summary>v1 memory.oom_control oom_kill_disable: -OomKillDisable sets it, -OomKillDisable:$false clears it.</summary>
    [Parameter]
    public SwitchParameter OomKillDisable { get; set; }

    /// <summary>Also write the changed cgroup, after the events.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Changes each piped cgroup and writes the events of the charges it let go on.</summary>
    protected override void ProcessRecord() => Try(() =>
    {
        Machine = ResolveMachine(Machine);
        var cg = Locked(Machine, () => Machine.GetCgroup(Cgroup));
        Sizes.WarnImplausible(this, Machine.PageSize);
        var max = Sizes.Pick("memory.max", MemoryMax, null, Machine.PageSize);
        bool? disable = IsBound(nameof(OomKillDisable)) ? OomKillDisable.IsPresent : null;
        if (max is null && disable is null)
            throw new Engine.OomEngineException(Engine.OomError.InvalidArgument, "Give -MemoryMax or -OomKillDisable: nothing to change.", Cgroup);
        if (!ShouldProcess($"{cg.Path} on {Machine.Name}", "Set memory cgroup")) return;
        var events = Locked(Machine, () => System.Linq.Enumerable.ToList(Machine.PageAllocator.SetCgroup(cg, max, disable)));
        foreach (var e in events) WriteObject(e);
        if (PassThru) WriteObject(cg);
    }, Cgroup);
}
