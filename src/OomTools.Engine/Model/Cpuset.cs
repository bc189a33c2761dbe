using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// A cpuset: the memory nodes its tasks may allocate from (<c>mems_allowed</c>) and whether it is a
/// hardwall (<c>mem_exclusive</c> or <c>mem_hardwall</c>), which decides what a softwall allocation may use.
/// </summary>
public sealed class Cpuset
{
    private readonly List<Cpuset> children = new();

    internal Cpuset(string name, Cpuset? parent, NodeMask mems, bool hardwall)
    {
        Name = name;
        Parent = parent;
        Mems = mems;
        Hardwall = hardwall;
        parent?.children.Add(this);
    }

    /// <summary>The last path component, "/" for the root: what <c>cpuset=</c> in the oom-kill line shows.</summary>
    public string Name { get; }
    /// <summary>The parent cpuset; null for the root.</summary>
    public Cpuset? Parent { get; }
    /// <summary>Whether this is the root cpuset.</summary>
    public bool IsRoot => Parent is null;
    /// <summary>The path from the hierarchy root.</summary>
    public string Path => Parent is null ? "/" : (Parent.IsRoot ? "/" + Name : Parent.Path + "/" + Name);
    /// <summary>The child cpusets, in creation order.</summary>
    public IReadOnlyList<Cpuset> Children => children;

    /// <summary><c>cpuset.mems</c>: the tasks' <c>mems_allowed</c>.</summary>
    public NodeMask Mems { get => mems; set { mems = value; ScoreVersion.Bump(); } }
    private NodeMask mems; // read by the killer's score table for a cpuset OOM

    /// <summary><c>cpuset.mem_exclusive</c> or <c>cpuset.mem_hardwall</c>.</summary>
    public bool Hardwall { get; set; }

    /// <summary><c>nearest_hardwall_ancestor()</c>: this cpuset or the closest ancestor that is a hardwall, else the root.</summary>
    public Cpuset NearestHardwallAncestor()
    {
        var cs = this;
        while (!cs.Hardwall && cs.Parent is not null) cs = cs.Parent;
        return cs;
    }

    /// <summary>
    /// kernel/cgroup/cpuset.c <c>cpuset_node_allowed()</c> for a task of this cpuset (<paramref name="current"/>,
    /// null for a kernel worker): a node in its mems is allowed; otherwise an OOM victim may go anywhere, a hardwall
    /// request (__GFP_HARDWALL) may not, an exiting task may, and the rest may use the nearest hardwall ancestor's nodes.
    /// </summary>
    public bool NodeAllowed(int node, GfpMask gfpMask, OomTask? current)
    {
        if (Mems.Contains(node)) return true;
        if (current is { IsOomVictim: true }) return true;
        if (gfpMask.Has(GfpMask.__GFP_HARDWALL)) return false;
        if (current is { Exiting: true }) return true;
        return NearestHardwallAncestor().Mems.Contains(node);
    }

    /// <summary>The <see cref="Path"/>.</summary>
    public override string ToString() => Path;
}
