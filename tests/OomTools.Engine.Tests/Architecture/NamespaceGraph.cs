using System.Collections.Generic;
using System.Linq;

namespace OomTools.Engine.Tests.Architecture;

/// <summary>
/// Which folder (namespace) of the engine uses which, with one place per edge that shows why. Folders are named
/// by their namespace below <c>OomTools.Engine</c>; the root namespace is <see cref="Root"/>.
/// </summary>
internal sealed class NamespaceGraph
{
    /// <summary>The name of the engine's root namespace (<c>OomTools.Engine</c> itself) in the graph.</summary>
    public const string Root = "(root)";

    private readonly SortedDictionary<string, SortedSet<string>> edges = new(System.StringComparer.Ordinal);
    private readonly Dictionary<(string, string), string> witness = new();

    public IEnumerable<string> Nodes => edges.Keys;

    public IEnumerable<(string From, string To)> Edges =>
        edges.SelectMany(e => e.Value.Select(to => (e.Key, to)));

    public void AddNode(string node)
    {
        if (!edges.ContainsKey(node)) edges[node] = new SortedSet<string>(System.StringComparer.Ordinal);
    }

    /// <summary>Adds <paramref name="from"/> → <paramref name="to"/> (a folder using itself is no edge).</summary>
    public void AddEdge(string from, string to, string why = "")
    {
        AddNode(from);
        AddNode(to);
        if (from == to) return;
        if (edges[from].Add(to)) witness[(from, to)] = why;
    }

    public bool HasEdge(string from, string to) => edges.TryGetValue(from, out var set) && set.Contains(to);

    /// <summary>One reference that makes the edge, for failure messages.</summary>
    public string Why(string from, string to) => witness.TryGetValue((from, to), out var w) ? w : "";

    /// <summary>A cycle as the path that closes it (<c>A, B, C, A</c>); null when the graph has none.</summary>
    public IReadOnlyList<string>? FindCycle()
    {
        var state = new Dictionary<string, int>(); // 0 unseen, 1 on the path, 2 done
        var path = new List<string>();
        foreach (var start in edges.Keys)
            if (Visit(start, state, path) is { } cycle) return cycle;
        return null;
    }

    private List<string>? Visit(string node, Dictionary<string, int> state, List<string> path)
    {
        state.TryGetValue(node, out int s);
        if (s == 2) return null;
        if (s == 1)
        {
            var cycle = path.Skip(path.IndexOf(node)).ToList();
            cycle.Add(node);
            return cycle;
        }
        state[node] = 1;
        path.Add(node);
        foreach (var next in edges[node])
            if (Visit(next, state, path) is { } cycle) return cycle;
        path.RemoveAt(path.Count - 1);
        state[node] = 2;
        return null;
    }

    /// <summary>
    /// The edges that go against <paramref name="layers"/> (lowest first): a folder may use only folders listed
    /// before it. A folder missing from the list is reported by <see cref="Unplaced"/>, not here.
    /// </summary>
    public List<string> LayerViolations(IReadOnlyList<string> layers)
    {
        var rank = layers.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i);
        var found = new List<string>();
        foreach (var (from, to) in Edges)
            if (rank.TryGetValue(from, out int f) && rank.TryGetValue(to, out int t) && t >= f)
                found.Add($"{from} uses {to}, which comes after it ({Why(from, to)})");
        return found;
    }

    /// <summary>The folders that have no place in <paramref name="layers"/>.</summary>
    public List<string> Unplaced(IReadOnlyList<string> layers) => Nodes.Where(n => !layers.Contains(n)).ToList();
}
