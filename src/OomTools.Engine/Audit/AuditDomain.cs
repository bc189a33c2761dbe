using OomTools.Engine.Killer;

namespace OomTools.Engine.Audit;

/// <summary>
/// Where an audited OOM looks for a victim, as constrained_alloc decided it: the whole machine, a memory cgroup's
/// limit, a mempolicy's nodes or a cpuset.
/// </summary>
public sealed class AuditDomain
{
    private AuditDomain(OomConstraint constraint, string? name) { Constraint = constraint; Name = name; }

    /// <summary>
    /// The domain of <paramref name="oc"/> after scoring: a memcg OOM is its cgroup whatever else it says, a
    /// mempolicy or cpuset constraint names its nodes or cpuset, anything else is global.
    /// </summary>
    internal static AuditDomain Of(OomControl oc)
    {
        if (oc.Memcg is { } memcg) return new(OomConstraint.Memcg, memcg.Path);
        if (oc.Constraint == OomConstraint.MemoryPolicy && oc.Nodemask is { } nodes) return new(OomConstraint.MemoryPolicy, nodes.ToString());
        if (oc.Constraint == OomConstraint.Cpuset && oc.CurrentCpuset is { } cs) return new(OomConstraint.Cpuset, cs.Path);
        return new(OomConstraint.None, null);
    }

    /// <summary>The kind of domain (<see cref="OomConstraint.None"/> for a global OOM).</summary>
    public OomConstraint Constraint { get; }
    /// <summary>The cgroup path, node list or cpuset path; null for a global OOM.</summary>
    public string? Name { get; }
}
