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
    public Cpuset? Parent { get; }
    public bool IsRoot => Parent is null;
    public string Path => Parent is null ? "/" : (Parent.IsRoot ? "/" + Name : Parent.Path + "/" + Name);
    public IReadOnlyList<Cpuset> Children => children;

    /// <summary><c>cpuset.mems</c>: the tasks' <c>mems_allowed</c>.</summary>
    public NodeMask Mems { get; set; }

    /// <summary><c>cpuset.mem_exclusive</c> or <c>cpuset.mem_hardwall</c>.</summary>
    public bool Hardwall { get; set; }

    /// <summary><c>nearest_hardwall_ancestor()</c>: this cpuset or the closest ancestor that is a hardwall, else the root.</summary>
    public Cpuset NearestHardwallAncestor()
    {
        var cs = this;
        while (!cs.Hardwall && cs.Parent is not null) cs = cs.Parent;
        return cs;
    }

    public override string ToString() => Path;
}
