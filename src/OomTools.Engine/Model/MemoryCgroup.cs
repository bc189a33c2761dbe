using System;
using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// A memory cgroup: its limits (<c>memory.max</c>, v2 <c>swap.max</c> or v1 <c>memsw</c> limit), swappiness,
/// <c>memory.oom.group</c>, its children in creation order and its processes in arrival order — the order
/// <c>mem_cgroup_scan_tasks()</c> walks.
/// </summary>
public sealed class MemoryCgroup
{
    private readonly List<MemoryCgroup> children = new();
    internal readonly List<OomTask> tasks = new();
    // Shared objects (OomMachine.Shared) whose pages are charged here; null until one is.
    internal List<SharedMemory>? sharedCharged;

    internal MemoryCgroup(string name, MemoryCgroup? parent, Pages unlimited)
    {
        Name = name;
        Parent = parent;
        MemoryMax = unlimited;
        SwapMax = unlimited;
        MemswMax = unlimited;
        parent?.children.Add(this);
    }

    /// <summary>The last path component; "/" for the root.</summary>
    public string Name { get; }
    /// <summary>The parent cgroup; null for the root.</summary>
    public MemoryCgroup? Parent { get; }
    /// <summary><c>mem_cgroup_is_root()</c>: this is the hierarchy's root (it has no parent).</summary>
    public bool IsRoot => Parent is null;

    /// <summary>The path from the hierarchy root, as <c>pr_cont_cgroup_path</c> prints it.</summary>
    public string Path => Parent is null ? "/" : (Parent.IsRoot ? "/" + Name : Parent.Path + "/" + Name);

    /// <summary>The child cgroups, in creation order.</summary>
    public IReadOnlyList<MemoryCgroup> Children => children;
    /// <summary>The processes attached directly to this cgroup (not its descendants'), in arrival order.</summary>
    public IReadOnlyList<OomTask> Tasks => tasks;

    /// <summary><c>memory.max</c> (v1 <c>memory.limit_in_bytes</c>), in pages.</summary>
    public Pages MemoryMax { get; set; }
    /// <summary>v2 <c>memory.swap.max</c>, in pages.</summary>
    public Pages SwapMax { get; set; }
    /// <summary>v1 <c>memory.memsw.limit_in_bytes</c> (memory plus swap), in pages.</summary>
    public Pages MemswMax { get; set; }
    /// <summary>v1 per-cgroup <c>memory.swappiness</c>; null follows <c>vm.swappiness</c> (always so on v2).</summary>
    public int? Swappiness { get; set; }
    /// <summary>v2 <c>memory.oom.group</c>: kill the whole cgroup together.</summary>
    public bool OomGroup { get; set; }

    /// <summary>
    /// Pages charged to the cgroup and its descendants (<c>memory.current</c>) as measured — from a report or a
    /// host — and moved since by charges, exits and reaping; null when unmeasured: the members' rss counts then.
    /// </summary>
    public Pages? Usage { get; set; }

    /// <summary><c>memory.events</c> counters the OOM killer raises.</summary>
    public long OomKillEvents { get; internal set; }
    /// <summary>The <c>oom_group_kill</c> counter of <c>memory.events</c>: processes killed because memory.oom.group took the whole cgroup.</summary>
    public long OomGroupKillEvents { get; internal set; }

    /// <summary><c>mem_cgroup_is_descendant(this, ancestor)</c>: true for the ancestor itself too.</summary>
    public bool IsDescendantOf(MemoryCgroup ancestor)
    {
        for (var c = this; c is not null; c = c.Parent)
            if (ReferenceEquals(c, ancestor)) return true;
        return false;
    }

    /// <summary>This cgroup and its subtree in pre-order (<c>css_next_descendant_pre</c>).</summary>
    public IEnumerable<MemoryCgroup> SubtreePreOrder()
    {
        var stack = new Stack<MemoryCgroup>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var c = stack.Pop();
            yield return c;
            for (int i = c.children.Count - 1; i >= 0; i--) stack.Push(c.children[i]);
        }
    }

    internal void RemoveChild(MemoryCgroup child) => children.Remove(child);

    /// <summary>The cgroup's <see cref="Path"/>.</summary>
    public override string ToString() => Path;
}
