namespace OomTools.Engine.Killer;

/// <summary><c>enum oom_constraint</c>: what limited the failed allocation, and so which tasks and total count.</summary>
public enum OomConstraint
{
    /// <summary><c>CONSTRAINT_NONE</c>: the whole machine (RAM + swap).</summary>
    None,
    /// <summary><c>CONSTRAINT_CPUSET</c>: the allocating task's cpuset nodes.</summary>
    Cpuset,
    /// <summary><c>CONSTRAINT_MEMORY_POLICY</c>: an MPOL_BIND nodemask.</summary>
    MemoryPolicy,
    /// <summary><c>CONSTRAINT_MEMCG</c>: a memory cgroup's limit.</summary>
    Memcg,
}

internal static class OomConstraintText
{
    /// <summary><c>oom_constraint_text[]</c>.</summary>
    public static string Of(OomConstraint c) => c switch
    {
        OomConstraint.Cpuset => "CONSTRAINT_CPUSET",
        OomConstraint.MemoryPolicy => "CONSTRAINT_MEMORY_POLICY",
        OomConstraint.Memcg => "CONSTRAINT_MEMCG",
        _ => "CONSTRAINT_NONE",
    };
}
