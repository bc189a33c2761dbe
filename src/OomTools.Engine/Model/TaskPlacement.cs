using System.Collections.Generic;

namespace OomTools.Engine.Model;

/// <summary>
/// What a process shares with many others of its machine: its command name, memory cgroup and cpuset, one object
/// for every process of the same triple (a machine has few of them), so a task keeps one reference for the three
/// (bench/: bytes per task). Immutable: a move takes another triple's placement. Interned per memory cgroup.
/// </summary>
internal sealed class TaskPlacement
{
    private TaskPlacement(string comm, MemoryCgroup? memcg, Cpuset? cpuset)
    {
        Comm = comm;
        Memcg = memcg;
        Cpuset = cpuset;
    }

    /// <summary><c>task-&gt;comm</c>, already cut to 15 characters.</summary>
    internal string Comm { get; }
    /// <summary>The memory cgroup (null only while a task is being made).</summary>
    internal MemoryCgroup? Memcg { get; }
    /// <summary>The cpuset (null only while a task is being made).</summary>
    internal Cpuset? Cpuset { get; }

    /// <summary>The placement of the triple, the one already made for it if there is one.</summary>
    internal static TaskPlacement Of(string comm, MemoryCgroup? memcg, Cpuset? cpuset)
    {
        if (memcg is null) return new TaskPlacement(comm, null, cpuset);
        var cache = memcg.placements ??= new Dictionary<(Cpuset?, string), TaskPlacement>();
        if (!cache.TryGetValue((cpuset, comm), out var p)) cache[(cpuset, comm)] = p = new TaskPlacement(comm, memcg, cpuset);
        return p;
    }
}
