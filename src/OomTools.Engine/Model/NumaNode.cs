using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>A NUMA node and its <c>node_present_pages()</c>.</summary>
public sealed class NumaNode
{
    public int Id { get; }
    public Pages PresentPages { get; }

    public NumaNode(int id, Pages presentPages)
    {
        Id = id;
        PresentPages = presentPages;
    }

    public override string ToString() => $"Node {Id}: {PresentPages} pages";
}
