using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>A NUMA node and its <c>node_present_pages()</c>.</summary>
public sealed class NumaNode
{
    /// <summary>The node id (<c>nid</c>), 0 to <see cref="Units.NodeMask.MaxNodes"/> - 1.</summary>
    public int Id { get; }
    /// <summary><c>node_present_pages(nid)</c>: pages of RAM on the node; zero keeps the node out of <c>N_MEMORY</c>.</summary>
    public Pages PresentPages { get; }

    /// <summary>Node <paramref name="id"/> with <paramref name="presentPages"/> pages of RAM.</summary>
    public NumaNode(int id, Pages presentPages)
    {
        Id = id;
        PresentPages = presentPages;
    }

    /// <summary><c>Node ID: N pages</c>.</summary>
    public override string ToString() => $"Node {Id}: {PresentPages} pages";
}
