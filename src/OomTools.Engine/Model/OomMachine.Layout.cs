using OomTools.Engine.Time;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    /// <summary>Builds a machine whose RAM and NUMA nodes are <paramref name="layout"/>, with <paramref name="swapPages"/> of swap.</summary>
    public OomMachine(NumaLayout layout, Pages swapPages, int pageSize = 4096, string name = "oom-machine",
        CgroupVersion cgroupVersion = CgroupVersion.V2, IClock? clock = null)
        : this((layout ?? throw new System.ArgumentNullException(nameof(layout))).RamPages, swapPages, pageSize,
            layout.NodePresentPages, name, cgroupVersion, clock)
    {
    }
}
