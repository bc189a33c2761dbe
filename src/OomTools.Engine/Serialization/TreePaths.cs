using System;
using System.Collections.Generic;

namespace OomTools.Engine.Serialization;

/// <summary>
/// The paths of the nodes of a cgroup tree, each built once from its parent's: reading every path of a chain
/// <c>d</c> levels deep then costs the length of the paths, not <c>d</c> string copies per path.
/// </summary>
internal sealed class TreePaths<T> where T : class
{
    private readonly Func<T, T?> parentOf;
    private readonly Func<T, string> nameOf;
    private readonly Dictionary<T, string> paths = new();

    public TreePaths(Func<T, T?> parent, Func<T, string> name)
    {
        parentOf = parent;
        nameOf = name;
    }

    /// <summary>"/" for the root, else the parent's path, "/" and the name.</summary>
    public string Of(T node)
    {
        if (paths.TryGetValue(node, out var known)) return known;
        // The ancestors whose paths are not known yet, nearest first; then built from the top down.
        var missing = new Stack<T>();
        for (T? n = node; n is not null && !paths.ContainsKey(n); n = parentOf(n)) missing.Push(n);
        string path = "/";
        while (missing.Count > 0)
        {
            var n = missing.Pop();
            var parent = parentOf(n);
            path = parent is null ? "/" : (paths[parent] == "/" ? "/" + nameOf(n) : paths[parent] + "/" + nameOf(n));
            paths[n] = path;
        }
        return path;
    }
}
