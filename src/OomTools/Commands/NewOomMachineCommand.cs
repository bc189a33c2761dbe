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

    /// <summary>
    /// RAM (totalram): bytes (16GB) or a number with a unit ('16G', '16GiB'). The sum of -NumaNodeMemory when only
    /// that is given.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Size(SizeKind.Machine)]
    [ValidateRange(1, long.MaxValue)]
    public MemorySize Memory { get; set; } = new(16L << 30);

    /// <summary>Swap (total_swap_pages): bytes or a number with a unit.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Size(SizeKind.Machine)]
    [ValidateRange(0, long.MaxValue)]
    public MemorySize Swap { get; set; }

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

    /// <summary>Present memory of each NUMA node (node 0 first): bytes or numbers with a unit.</summary>
    [Parameter]
    [Size(SizeKind.Machine)]
    [ValidateNotNullOrEmpty]
    public MemorySize[]? NumaNodeMemory { get; set; }

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
    /// How many records the machine's kernel log keeps (the printk ring's size, log_buf_len, in records: 32,768 is a
    /// 1 MiB buffer); older records are overwritten.
    /// </summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int LogCapacity { get; set; } = Engine.Log.KernelLog.DefaultCapacity;

    /// <summary>
    /// Builds one machine per input record (NUMA layout from -NumaNodeCount or -NumaNodeMemory) and writes it.
    /// </summary>
    protected override void ProcessRecord()
    {
        if (RefuseUnboundRow()) return;
        try
        {
            Sizes.WarnImplausible(this, PageSize);
            NumaLayout layout;
            if (NumaNodeMemory is { } given)
            {
                var sizes = System.Array.ConvertAll(given, s => s.Bytes);
                if (IsBound(nameof(NumaNodeCount)) && NumaNodeCount != sizes.Length)
                    throw new OomEngineException(OomError.InvalidArgument, $"-NumaNodeCount {NumaNodeCount} does not match the {sizes.Length} sizes of -NumaNodeMemory.", NumaNodeCount);
                layout = NumaLayout.FromNodeBytes(sizes, PageSize, IsBound(nameof(Memory)) ? Memory.Bytes : null);
            }
            else layout = NumaLayout.Even(Pages.FromBytes(Memory.Bytes, PageSize), NumaNodeCount);

            var machine = new OomMachine(layout, Pages.FromBytes(Swap.Bytes, PageSize), PageSize, Name,
                (Engine.Model.CgroupVersion)CgroupVersion)
            {
                PanicOnOom = PanicOnOom,
                OomKillAllocatingTask = OomKillAllocatingTask.IsPresent,
                OomDumpTasks = !IsBound(nameof(OomDumpTasks)) || OomDumpTasks.IsPresent,
                VmSwappiness = Swappiness,
                Hz = Hz,
            };
            if (KernelVersion is not null) machine.UseKernel(KernelVersion);
            machine.Log.Capacity = LogCapacity;
            MakeCurrent(machine);
            WriteObject(machine);
        }
        catch (Exception ex) when (ex is OomEngineException or ArgumentException)
        {
            WriteError(ToErrorRecord(ex, Name));
        }
    }
}
