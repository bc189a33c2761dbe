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
    // The root of a machine reads its processes through the machine's task list while it can (MemcgTaskList).
    internal readonly MemcgTaskList tasks;
    // What this cgroup's processes share (comm, cpuset, uid, oom_score_adj_min: OomTask keeps one reference for them).
    internal Dictionary<(Cpuset?, string, int, short), TaskPlacement>? placements;
    // Shared objects (OomMachine.Shared) whose pages are charged here; null until one is.
    internal List<SharedMemory>? sharedCharged;

    internal MemoryCgroup(string name, MemoryCgroup? parent, Pages unlimited)
    {
        Name = name;
        Parent = parent;
        tasks = new MemcgTaskList(this, followsMachine: parent is null);
        MemoryMax = unlimited;
        SwapMax = unlimited;
        MemswMax = unlimited;
        PageSize = parent?.PageSize ?? 0;
        parent?.children.Add(this);
    }

    /// <summary>
    /// The machine's <c>PAGE_SIZE</c>, for showing the page counts in bytes: a child has its parent's, the machine
    /// sets the root's.
    /// </summary>
    public int PageSize { get; internal set; }

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

    /// <summary>
    /// The <c>oom_kill</c> counter (MEMCG_OOM_KILL): v1 <c>memory.oom_control</c>'s <c>oom_kill</c> line, v2
    /// <c>memory.events</c> <c>oom_kill</c>; processes of this cgroup (on v2, of its subtree) the OOM killer killed.
    /// The same counter as <see cref="OomKillEvents"/>.
    /// </summary>
    public long OomKill { get => OomKillEvents; internal set => OomKillEvents = value; }
    /// <summary>v2 <c>memory.events</c> <c>oom_group_kill</c> (MEMCG_OOM_GROUP_KILL); the same counter as <see cref="OomGroupKillEvents"/>.</summary>
    public long OomGroupKill { get => OomGroupKillEvents; internal set => OomGroupKillEvents = value; }
    /// <summary>
    /// v2 <c>memory.events</c> <c>oom</c> (MEMCG_OOM): how often a charge over this cgroup's limit reached
    /// <c>mem_cgroup_oom</c> — counted before oom_kill_disable is looked at, so a charge that waits counts too, once
    /// per try. On v1 the kernel keeps it but no file shows it.
    /// </summary>
    public long Oom { get; internal set; }

    /// <summary>
    /// v1 <c>memory.oom_control</c> <c>oom_kill_disable</c> (<c>memcg-&gt;oom_kill_disable</c>): a charge over this
    /// cgroup's limit does not run the OOM killer but waits (<see cref="UnderOom"/>) until the limit is raised,
    /// memory is uncharged or this is cleared. A new cgroup starts with its parent's. Always false on v2 (no such file).
    /// </summary>
    public bool OomKillDisable { get; internal set; }

    // memcg->under_oom: how many marks this cgroup holds (each waiting charge marks its OOM cgroup's subtree).
    internal int underOom;
    /// <summary>
    /// v1 <c>memory.oom_control</c> <c>under_oom</c>: a charge is waiting in an OOM of this cgroup or an ancestor
    /// (<c>mem_cgroup_mark_under_oom</c> marks the whole subtree); the file prints it as 0 or 1.
    /// </summary>
    public bool UnderOom { get => underOom > 0; internal set => underOom = value ? System.Math.Max(1, underOom) : 0; }

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
