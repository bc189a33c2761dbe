using System;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Audit;

/// <summary>The machine an audit is about, in one line's worth of values: sizes, topology, kernel and sysctls.</summary>
public sealed class AuditMachine
{
    private AuditMachine(OomMachine m)
    {
        Name = m.Name;
        RamPages = m.TotalRamPages;
        SwapPages = m.TotalSwapPages;
        PageSize = m.PageSize;
        NumaNodes = m.Nodes.Count;
        KernelVersion = m.KernelVersion;
        ScoringVersion = m.Scoring.Version;
        CgroupVersion = (int)m.CgroupVersion;
        Processes = m.Tasks.Count;
        PanicOnOom = m.PanicOnOom;
        OomKillAllocatingTask = m.OomKillAllocatingTask;
    }

    /// <summary>A summary of <paramref name="machine"/> as it is now.</summary>
    internal static AuditMachine Of(OomMachine machine) => new(machine);

    /// <summary>The machine's name.</summary>
    public string Name { get; }
    /// <summary>Pages of RAM (totalram_pages).</summary>
    public Pages RamPages { get; }
    /// <summary>Pages of swap (total_swap_pages).</summary>
    public Pages SwapPages { get; }
    /// <summary>Bytes per page.</summary>
    public int PageSize { get; }
    /// <summary>NUMA nodes.</summary>
    public int NumaNodes { get; }
    /// <summary>The kernel the machine runs.</summary>
    public Version KernelVersion { get; }
    /// <summary>The kernel whose oom_badness rules score it (differs from <see cref="KernelVersion"/> when set apart).</summary>
    public Version ScoringVersion { get; }
    /// <summary>1 or 2: the cgroup hierarchy's version.</summary>
    public int CgroupVersion { get; }
    /// <summary>Processes on the machine.</summary>
    public int Processes { get; }
    /// <summary>vm.panic_on_oom: 0 kills, 1 panics on an unconstrained OOM, 2 on every OOM.</summary>
    public int PanicOnOom { get; }
    /// <summary>vm.oom_kill_allocating_task: the allocating task is killed when it can be.</summary>
    public bool OomKillAllocatingTask { get; }
}
