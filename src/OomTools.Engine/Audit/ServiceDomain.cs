using OomTools.Engine.Model;

namespace OomTools.Engine.Audit;

/// <summary>
/// Which OOM a service's cgroup can have. A memcg OOM happens in the cgroup whose limit a charge hits
/// (<c>mem_cgroup_out_of_memory</c> on the <c>page_counter</c> that failed), so a systemd unit with no MemoryMax=
/// of its own is in the OOM of the nearest ancestor with one, or in a global OOM when none has one.
/// </summary>
public static class ServiceDomain
{
    /// <summary>
    /// The path of the nearest memory cgroup at or above <paramref name="cgroupPath"/> with a memory.max (or a v1
    /// memsw limit) below the page counter's ceiling; null when none has one and only a global OOM can reach it.
    /// </summary>
    public static string? LimitingCgroup(OomMachine machine, string cgroupPath)
    {
        for (var cg = machine.GetCgroup(cgroupPath); cg is not null && !cg.IsRoot; cg = cg.Parent)
            if (cg.MemoryMax.Value < machine.PageCounterMax.Value || cg.MemswMax.Value < machine.PageCounterMax.Value)
                return cg.Path;
        return null;
    }
}
