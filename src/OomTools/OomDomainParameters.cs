using OomTools.Engine.Audit;
using OomTools.Engine.Units;

namespace OomTools;

/// <summary>
/// The parameters that name an OOM's domain (-Cgroup, -Nodemask, -Cpuset, -GfpMask, -Current). A binary cmdlet
/// takes its parameters from its own class chain, so they are declared by <see cref="OomDomainCmdlet"/> and, for
/// the one cmdlet that is an export too, by Export-OomAuditReport (a test keeps the two declarations alike);
/// what they mean is worked out here, once.
/// </summary>
internal interface IOomDomainParameters
{
    string? Cgroup { get; }
    string? Nodemask { get; }
    string? Cpuset { get; }
    string? GfpMask { get; }
    int? Current { get; }
}

/// <summary>What the domain parameters mean to the engine.</summary>
internal static class OomDomainParameters
{
    /// <summary>The OOM the parameters name: a node list and a gfp mask are parsed here (FormatException when bad).</summary>
    public static OomRequest ToRequest(this IOomDomainParameters p, OomTools.Engine.Model.OomMachine? machine = null)
    {
        // An allocating task the machine does not have is a mistake in the call, not a kernel worker.
        if (machine is not null && p.Current is { } pid) machine.GetTask(pid);
        return ToRequestOnly(p);
    }

    private static OomRequest ToRequestOnly(IOomDomainParameters p) => new()
    {
        Cgroup = p.Cgroup,
        Nodemask = p.Nodemask is null ? null : NodeMask.Parse(p.Nodemask),
        Cpuset = p.Cpuset,
        GfpMask = p.GfpMask is null ? null : GfpMask.Parse(p.GfpMask),
        CurrentPid = p.Current,
    };
}
