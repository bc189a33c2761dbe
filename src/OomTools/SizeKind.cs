namespace OomTools;

/// <summary>
/// What a size parameter measures, which says how small a bare number can be before it is more likely a
/// forgotten unit than a size (<see cref="SizeAttribute"/>).
/// </summary>
public enum SizeKind
{
    /// <summary>Exact bytes by name (-PageTableBytes): any number is meant.</summary>
    Exact,
    /// <summary>A process's memory, an allocation or an amount freed: less than a page is implausible (likely MB).</summary>
    Process,
    /// <summary>A machine's RAM, swap or node: less than 1 MiB is implausible (likely GB).</summary>
    Machine,
    /// <summary>A memory cgroup's limit or a container's request: less than 1 MiB is implausible (likely MB).</summary>
    Limit,
}
