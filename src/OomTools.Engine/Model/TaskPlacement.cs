using System.Collections.Generic;

namespace OomTools.Engine.Model;

/// <summary>
/// What a process shares with many others of its machine: its command name, memory cgroup, cpuset, uid and
/// oom_score_adj_min, one object for every process of the same values (a machine has few such sets), so a task keeps
/// one reference for the five (bench/: bytes per task). Immutable: a change takes another set's placement. Interned
/// per memory cgroup.
/// </summary>
internal sealed class TaskPlacement
{
    private TaskPlacement(string comm, MemoryCgroup? memcg, Cpuset? cpuset, int uid, short adjMin)
    {
        Comm = comm;
        Memcg = memcg;
        Cpuset = cpuset;
        Uid = uid;
        AdjMin = adjMin;
    }

    /// <summary><c>task-&gt;comm</c>, already cut to 15 characters.</summary>
    internal string Comm { get; }
    /// <summary>The memory cgroup (null only while a task is being made).</summary>
    internal MemoryCgroup? Memcg { get; }
    /// <summary>The cpuset (null only while a task is being made).</summary>
    internal Cpuset? Cpuset { get; }
    /// <summary>The uid (<c>task_uid()</c>).</summary>
    internal int Uid { get; }
    /// <summary><c>signal-&gt;oom_score_adj_min</c>.</summary>
    internal short AdjMin { get; }

    private const int MaxCached = 1 << 16;

    /// <summary>The placement of these values, the one already made for them if there is one.</summary>
    internal static TaskPlacement Of(string comm, MemoryCgroup? memcg, Cpuset? cpuset, int uid, short adjMin)
    {
        // A task being made has no memcg or no cpuset yet: that passing placement is its own, not looked up.
        if (memcg is null || cpuset is null) return new TaskPlacement(comm, memcg, cpuset, uid, adjMin);
        var cache = memcg.placements ??= new Dictionary<(Cpuset?, string, int, short), TaskPlacement>();
        var key = (cpuset, comm, uid, adjMin);
        if (cache.TryGetValue(key, out var p)) return p;
        // The cache keeps every set it has seen, in use or not: forgotten past a bound, so processes that come and go
        // with ever new names do not grow it for good (the placements in use stay valid; new ones are shared again).
        if (cache.Count >= MaxCached) cache.Clear();
        cache[key] = p = new TaskPlacement(comm, memcg, cpuset, uid, adjMin);
        return p;
    }

    /// <summary>This placement with another memory cgroup.</summary>
    internal TaskPlacement WithMemcg(MemoryCgroup memcg) => ReferenceEquals(memcg, Memcg) ? this : Of(Comm, memcg, Cpuset, Uid, AdjMin);
    /// <summary>This placement with another cpuset.</summary>
    internal TaskPlacement WithCpuset(Cpuset cpuset) => ReferenceEquals(cpuset, Cpuset) ? this : Of(Comm, Memcg, cpuset, Uid, AdjMin);
    /// <summary>This placement with another uid.</summary>
    internal TaskPlacement WithUid(int uid) => uid == Uid ? this : Of(Comm, Memcg, Cpuset, uid, AdjMin);
    /// <summary>This placement with another oom_score_adj_min.</summary>
    internal TaskPlacement WithAdjMin(short adjMin) => adjMin == AdjMin ? this : Of(Comm, Memcg, Cpuset, Uid, adjMin);
}
