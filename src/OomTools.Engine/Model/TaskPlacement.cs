namespace OomTools.Engine.Model;

/// <summary>
/// Where a process lives: its memory cgroup and its cpuset, one object shared by every process of the same pair
/// (nearly all processes of a machine share a few), so a task keeps one reference for the two (bench/: bytes per
/// task). Immutable: a move takes another pair's placement. Interned per memory cgroup, in a short list.
/// </summary>
internal sealed class TaskPlacement
{
    private TaskPlacement(MemoryCgroup? memcg, Cpuset? cpuset)
    {
        Memcg = memcg;
        Cpuset = cpuset;
    }

    /// <summary>The memory cgroup (null only while a task is being made).</summary>
    internal MemoryCgroup? Memcg { get; }
    /// <summary>The cpuset (null only while a task is being made).</summary>
    internal Cpuset? Cpuset { get; }
    // The next placement of the same memory cgroup.
    private TaskPlacement? next;

    /// <summary>The placement of <paramref name="memcg"/> and <paramref name="cpuset"/>, the one already made for the pair if there is one.</summary>
    internal static TaskPlacement Of(MemoryCgroup? memcg, Cpuset? cpuset)
    {
        if (memcg is null) return new TaskPlacement(null, cpuset);
        for (var p = memcg.placements; p is not null; p = p.next)
            if (ReferenceEquals(p.Cpuset, cpuset)) return p;
        var made = new TaskPlacement(memcg, cpuset) { next = memcg.placements };
        memcg.placements = made;
        return made;
    }
}
