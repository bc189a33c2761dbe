using System;
using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Commands;

/// <summary>New-OomMachine: a simulated Linux machine with the given RAM, swap, NUMA nodes and OOM sysctls.</summary>
[Cmdlet(VerbsCommon.New, "OomMachine")]
[OutputType(typeof(OomMachine))]
public sealed class NewOomMachineCommand : OomRowCmdlet
{
    /// <summary>A name for the machine (a host name, say).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "oom-machine";

    /// <summary>RAM in bytes (totalram); 16GB works. The sum of -NumaNodeMemory when only that is given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, long.MaxValue)]
    public long Memory { get; set; } = 16L << 30;

    /// <summary>Swap in bytes (total_swap_pages).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, long.MaxValue)]
    public long Swap { get; set; }

    /// <summary>
    /// The page size in bytes: 4096 (default; x86-64 and most arm64), 16384 or 65536. Every size in bytes becomes pages
    /// of this size, rounded up.
    /// </summary>
    [Parameter]
    [ValidateSet("4096", "16384", "65536")]
    public int PageSize { get; set; } = 4096;

    /// <summary>Split the RAM evenly over this many NUMA nodes.</summary>
    [Parameter]
    [ValidateRange(1, NodeMask.MaxNodes)]
    public int NumaNodeCount { get; set; } = 1;

    /// <summary>Present memory of each NUMA node in bytes (node 0 first).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public long[]? NumaNodeMemory { get; set; }

    /// <summary>vm.panic_on_oom: 0, 1 or 2.</summary>
    [Parameter]
    [ValidateRange(0, 2)]
    public int PanicOnOom { get; set; }

    /// <summary>vm.oom_kill_allocating_task.</summary>
    [Parameter]
    public SwitchParameter OomKillAllocatingTask { get; set; }

    /// <summary>vm.oom_dump_tasks (on unless -OomDumpTasks:$false).</summary>
    [Parameter]
    public SwitchParameter OomDumpTasks { get; set; }

    /// <summary>The memory cgroup interface: 1 (v1, memsw) or 2 (unified).</summary>
    [Parameter]
    [ValidateRange(1, 2)]
    public int CgroupVersion { get; set; } = 2;

    /// <summary>vm.swappiness.</summary>
    [Parameter]
    [ValidateRange(0, 200)]
    public int Swappiness { get; set; } = 60;

    /// <summary>The kernel it runs (default 6.12): its scoring rules and its log formats.</summary>
    [Parameter]
    [ValidateNotNull]
    public Version? KernelVersion { get; set; }

    /// <summary>CONFIG_HZ.</summary>
    [Parameter]
    [ValidateSet("100", "250", "300", "1000")]
    public int Hz { get; set; } = 250;

    /// <summary>
    /// Builds one machine per input record (NUMA layout from -NumaNodeCount or -NumaNodeMemory) and writes it.
    /// </summary>
    protected override void ProcessRecord()
    {
        if (RefuseUnboundRow()) return;
        try
        {
            NumaLayout layout;
            if (NumaNodeMemory is { } sizes)
            {
                if (IsBound(nameof(NumaNodeCount)) && NumaNodeCount != sizes.Length)
                    throw new OomEngineException(OomError.InvalidArgument, $"-NumaNodeCount {NumaNodeCount} does not match the {sizes.Length} sizes of -NumaNodeMemory.", NumaNodeCount);
                layout = NumaLayout.FromNodeBytes(sizes, PageSize, IsBound(nameof(Memory)) ? Memory : null);
            }
            else layout = NumaLayout.Even(Pages.FromBytes(Memory, PageSize), NumaNodeCount);

            var machine = new OomMachine(layout, Pages.FromBytes(Swap, PageSize), PageSize, Name,
                (Engine.Model.CgroupVersion)CgroupVersion)
            {
                PanicOnOom = PanicOnOom,
                OomKillAllocatingTask = OomKillAllocatingTask.IsPresent,
                OomDumpTasks = !IsBound(nameof(OomDumpTasks)) || OomDumpTasks.IsPresent,
                VmSwappiness = Swappiness,
                Hz = Hz,
            };
            if (KernelVersion is not null) machine.UseKernel(KernelVersion);
            MakeCurrent(machine);
            WriteObject(machine);
        }
        catch (Exception ex) when (ex is OomEngineException or ArgumentException)
        {
            WriteError(ToErrorRecord(ex, Name));
        }
    }
}
