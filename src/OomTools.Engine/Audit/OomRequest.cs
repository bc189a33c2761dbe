using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Audit;

/// <summary>
/// The allocation an audit replays, by names rather than objects, so it can be applied to copies of a machine:
/// the memcg path, nodemask, cpuset path, gfp mask, order and the allocating pid.
/// </summary>
public sealed class OomRequest
{
    public string? Cgroup { get; set; }
    public NodeMask? Nodemask { get; set; }
    public string? Cpuset { get; set; }
    public GfpMask? GfpMask { get; set; }
    public int Order { get; set; }
    public int? CurrentPid { get; set; }

    /// <summary>An oom_control for <paramref name="machine"/>; a current that has died is a kernel worker.</summary>
    public OomControl ControlFor(OomMachine machine)
    {
        var memcg = Cgroup is null ? null : machine.GetCgroup(Cgroup);
        return new OomControl
        {
            Memcg = memcg,
            Nodemask = Nodemask,
            CurrentCpuset = Cpuset is null ? null : machine.GetCpuset(Cpuset),
            GfpMask = GfpMask ?? (memcg is not null || Order == -1 ? Units.GfpMask.Kernel : Units.GfpMask.HighUserMovable),
            Order = Order,
            Current = CurrentPid is { } pid ? machine.FindTask(pid) : null,
        };
    }
}
