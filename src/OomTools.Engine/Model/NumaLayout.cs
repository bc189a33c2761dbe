using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// How a machine's RAM lies over its NUMA nodes: the RAM in pages (<c>totalram_pages()</c>) and each node's
/// present pages, node 0 first. The ways of laying it out that the module offers are worked out here, once.
/// </summary>
public sealed class NumaLayout
{
    private NumaLayout(Pages ramPages, IReadOnlyList<Pages>? nodePresentPages)
    {
        RamPages = ramPages;
        NodePresentPages = nodePresentPages;
    }

    /// <summary>The machine's RAM in pages.</summary>
    public Pages RamPages { get; }

    /// <summary>Present pages of each node, node 0 first; null when all RAM is on node 0.</summary>
    public IReadOnlyList<Pages>? NodePresentPages { get; }

    /// <summary>All of <paramref name="ramPages"/> on node 0 (a machine without NUMA).</summary>
    public static NumaLayout SingleNode(Pages ramPages) => new(ramPages, null);

    /// <summary>
    /// <paramref name="ramPages"/> split evenly over <paramref name="nodeCount"/> nodes; what does not divide
    /// evenly goes to the last node. One node is <see cref="SingleNode"/>.
    /// </summary>
    public static NumaLayout Even(Pages ramPages, int nodeCount)
    {
        if (nodeCount < 1 || nodeCount > NodeMask.MaxNodes)
            throw new OomEngineException(OomError.InvalidArgument, $"A machine has 1 to {NodeMask.MaxNodes} NUMA nodes; {nodeCount} is not a node count.", nodeCount);
        if (nodeCount == 1) return SingleNode(ramPages);
        long ram = ramPages.Value;
        var nodes = new List<Pages>(nodeCount);
        for (int i = 0; i < nodeCount; i++)
            nodes.Add(new Pages(ram / nodeCount + (i == nodeCount - 1 ? ram % nodeCount : 0)));
        return new NumaLayout(ramPages, nodes);
    }

    /// <summary>
    /// Nodes of the given sizes in bytes, each rounded up to whole pages. The RAM is <paramref name="ramBytes"/>
    /// when given, else the nodes' total bytes, rounded up once (so two nodes of half a page make one page of RAM).
    /// </summary>
    public static NumaLayout FromNodeBytes(IReadOnlyList<long> nodeBytes, int pageSize, long? ramBytes = null)
    {
        if (nodeBytes is null) throw new System.ArgumentNullException(nameof(nodeBytes));
        var nodes = new List<Pages>(nodeBytes.Count);
        long sum = 0;
        foreach (var bytes in nodeBytes)
        {
            if (bytes < 0) throw new OomEngineException(OomError.NegativeSize, $"The NUMA node memory cannot be negative ({bytes} bytes).", bytes);
            nodes.Add(Pages.FromBytes(bytes, pageSize));
            sum += bytes;
        }
        return new NumaLayout(Pages.FromBytes(ramBytes ?? sum, pageSize), nodes);
    }
}
