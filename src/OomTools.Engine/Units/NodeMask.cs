using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace OomTools.Engine.Units;

/// <summary>
/// A set of NUMA node ids (the kernel's <c>nodemask_t</c>), up to 64 nodes. Prints as the kernel's
/// <c>%*pbl</c> range list (<c>0-1,3</c>) and parses the same text.
/// </summary>
public readonly struct NodeMask : IEquatable<NodeMask>
{
    /// <summary>
    /// The engine's <c>MAX_NUMNODES</c>: node ids run 0..63 (the kernel's limit depends on <c>CONFIG_NODES_SHIFT</c>).
    /// </summary>
    public const int MaxNodes = 64;

    /// <summary>The mask as bits: bit <c>n</c> set means node <c>n</c> is in it.</summary>
    public ulong Bits { get; }

    /// <summary>Wraps a bit mask.</summary>
    /// <param name="bits">Bit <c>n</c> set for each node <c>n</c> in the mask.</param>
    public NodeMask(ulong bits) => Bits = bits;

    /// <summary>No nodes (<c>nodes_clear</c>).</summary>
    public static NodeMask Empty => default;

    /// <summary>Nodes 0..count-1.</summary>
    public static NodeMask FirstNodes(int count) =>
        new(count >= MaxNodes ? ulong.MaxValue : (1UL << count) - 1);

    /// <summary>The mask of <paramref name="nodes"/> (<c>node_set</c> for each).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A node id is outside 0..<see cref="MaxNodes"/>-1.</exception>
    public static NodeMask Of(params int[] nodes)
    {
        ulong bits = 0;
        foreach (var n in nodes) bits |= Bit(n);
        return new NodeMask(bits);
    }

    private static ulong Bit(int node)
    {
        if (node < 0 || node >= MaxNodes)
            throw new ArgumentOutOfRangeException(nameof(node), node, $"A NUMA node id must be between 0 and {MaxNodes - 1}.");
        return 1UL << node;
    }

    /// <summary><c>nodes_empty</c>: no node is set.</summary>
    public bool IsEmpty => Bits == 0;
    /// <summary><c>node_isset</c>: <paramref name="node"/> is in the mask (false for an id outside 0..63).</summary>
    public bool Contains(int node) => node >= 0 && node < MaxNodes && (Bits & (1UL << node)) != 0;
    /// <summary><c>nodes_intersects</c>.</summary>
    public bool Intersects(NodeMask other) => (Bits & other.Bits) != 0;
    /// <summary><c>nodes_subset(this, other)</c>.</summary>
    public bool IsSubsetOf(NodeMask other) => (Bits & ~other.Bits) == 0;
    /// <summary><c>nodes_and</c>: the nodes in both masks.</summary>
    public NodeMask Intersect(NodeMask other) => new(Bits & other.Bits);

    /// <summary>The node ids in the mask, lowest first (<c>for_each_node_mask</c>).</summary>
    public IEnumerable<int> Nodes
    {
        get
        {
            for (int i = 0; i < MaxNodes; i++)
                if ((Bits & (1UL << i)) != 0) yield return i;
        }
    }

    /// <summary>Parses a range list such as <c>0-1,3</c> (also a single id, or an empty string for no nodes).</summary>
    public static NodeMask Parse(string text)
    {
        if (text is null) throw new ArgumentNullException(nameof(text));
        ulong bits = 0;
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            if (part.Length == 0) continue;
            var dash = part.IndexOf('-');
            if (dash < 0) { bits |= Bit(ParseId(part, text)); continue; }
            int lo = ParseId(part.Substring(0, dash), text), hi = ParseId(part.Substring(dash + 1), text);
            if (hi < lo) throw new FormatException($"'{text}' is not a node list: the range {part} runs backwards.");
            for (int n = lo; n <= hi; n++) bits |= Bit(n);
        }
        return new NodeMask(bits);
    }

    private static int ParseId(string s, string whole)
    {
        if (!int.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id >= MaxNodes)
            throw new FormatException($"'{whole}' is not a node list such as 0-1,3 (node ids 0..{MaxNodes - 1}).");
        return id;
    }

    /// <summary>The kernel's <c>%*pbl</c> text: ranges of set bits joined by commas.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        int i = 0;
        while (i < MaxNodes)
        {
            if (!Contains(i)) { i++; continue; }
            int start = i;
            while (i + 1 < MaxNodes && Contains(i + 1)) i++;
            if (sb.Length > 0) sb.Append(',');
            sb.Append(start.ToString(CultureInfo.InvariantCulture));
            if (i > start) sb.Append('-').Append(i.ToString(CultureInfo.InvariantCulture));
            i++;
        }
        return sb.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(NodeMask other) => Bits == other.Bits;
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NodeMask m && Equals(m);
    /// <inheritdoc/>
    public override int GetHashCode() => Bits.GetHashCode();
    /// <summary>True when both masks hold the same nodes (<c>nodes_equal</c>).</summary>
    public static bool operator ==(NodeMask a, NodeMask b) => a.Bits == b.Bits;
    /// <summary>True when the masks' nodes differ.</summary>
    public static bool operator !=(NodeMask a, NodeMask b) => a.Bits != b.Bits;
}
