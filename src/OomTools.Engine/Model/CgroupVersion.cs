namespace OomTools.Engine.Model;

/// <summary>Which memory-controller interface the machine mounts: legacy v1 (memsw) or the unified v2.</summary>
public enum CgroupVersion
{
    /// <summary>cgroup v1: <c>memory.limit_in_bytes</c> and <c>memory.memsw.limit_in_bytes</c>, per-cgroup swappiness.</summary>
    V1 = 1,
    /// <summary>cgroup v2 (the unified hierarchy): <c>memory.max</c>, <c>memory.swap.max</c>, <c>memory.oom.group</c>.</summary>
    V2 = 2,
}
