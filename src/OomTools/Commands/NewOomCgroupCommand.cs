using System.Management.Automation;
using OomTools.Engine.Memcontrol;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Commands;

/// <summary>
/// New-OomCgroup: a memory cgroup under an existing parent (or with its missing parents, -Force), with its limits,
/// memory.oom.group and v1 oom_kill_disable.
/// </summary>
[Cmdlet(VerbsCommon.New, "OomCgroup", SupportsShouldProcess = true)]
[OutputType(typeof(MemoryCgroup))]
public sealed class NewOomCgroupCommand : OomRowCmdlet
{
    /// <summary>The machine to create the cgroup on.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>The cgroup path, such as /system.slice/postgresql.service.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>memory.max: bytes (1GB) or a number with a unit ('1G', '512MiB'); unlimited when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Limit")]
    [Size(SizeKind.Limit)]
    public MemorySize? MemoryMax { get; set; }

    /// <summary>The swap limit, bytes or a number with a unit: memory.swap.max on v2; on v1 memsw = memory.max + this.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Size(SizeKind.Limit)]
    public MemorySize? SwapMax { get; set; }

    /// <summary>memory.oom.group (cgroup v2): the OOM killer kills the whole cgroup together.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter OomGroup { get; set; }

    /// <summary>v1 memory.swappiness of this cgroup.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, 200)]
    public int? Swappiness { get; set; }

    /// <summary>
    /// v1 memory.oom_control oom_kill_disable: a charge over the limit waits instead of an OOM kill (refused on v2).
    /// Without it a v1 cgroup starts with its parent's setting.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter OomKillDisable { get; set; }

    /// <summary>
    /// Create the missing parent cgroups too (unlimited), as <c>mkdir -p</c> and New-Item -Force do; without it the
    /// parent must exist (CgroupNotFound). They are made only once every value is checked.
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Creates one memory cgroup per piped path (limits in bytes become pages) and writes it.</summary>
    protected override void ProcessRecord()
    {
        Machine = ResolveMachine(Machine);
        if (RefuseUnboundRow()) return;
        Try(Create, Path);
    }

    private void Create()
    {
        Sizes.WarnImplausible(this, Machine.PageSize);
        var max = Sizes.Pick("memory.max", MemoryMax, null, Machine.PageSize);
        var swap = Sizes.Pick("swap limit", SwapMax, null, Machine.PageSize);
        if (OomKillDisable && Machine.CgroupVersion != CgroupVersion.V1)
            throw new Engine.OomEngineException(Engine.OomError.InvalidArgument, "memory.oom_control (oom_kill_disable) exists only on cgroup v1.", Path);
        if (!ShouldProcess($"{Path} on {Machine.Name}", "Create memory cgroup")) return;
        var cg = Locked(Machine, () =>
        {
            var created = Machine.CreateCgroup(Path, max, swap, OomGroup, Swappiness, Force);
            if (IsBound(nameof(OomKillDisable)) && Machine.CgroupVersion == CgroupVersion.V1) Machine.MemCgroups.MemCgroupOomControlWrite(created, OomKillDisable);
            return created;
        });
        WriteObject(cg);
    }
}
