using System;
using System.Text;

namespace OomTools.Engine.Model;

/// <summary>
/// The one spelling of a cgroup (or cpuset) path the machine keys its hierarchies by. The kernel resolves a path
/// through cgroupfs, where <c>//x</c>, <c>/x/</c> and <c>/x/./y</c> reach the same directory as <c>/x</c> and
/// <c>/x/y</c>; the model has no directories, so every path is brought to one form where it enters the engine
/// (creation, lookups, a task's cgroup) and two spellings can never make two cgroups.
/// </summary>
public static class CgroupPath
{
    /// <summary>
    /// <paramref name="path"/> in canonical form: a leading slash, no empty or <c>.</c> component, no trailing
    /// slash; null, blank and <c>/</c> are the root. A <c>..</c> component is refused (InvalidArgument naming the
    /// path): outside a file system it could only climb out of the hierarchy or alias another cgroup.
    /// </summary>
    public static string Canonical(string? path)
    {
        // Most paths are canonical already (a machine document's, every task's): returned as they are, made anew
        // only when something changes (an import of a million tasks made two paths for each).
        if (IsCanonical(path)) return path!;
        var p = (path ?? "/").Trim();
        var sb = new StringBuilder(p.Length + 1);
        foreach (var part in p.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
                throw new OomEngineException(OomError.InvalidArgument, $"The cgroup path '{path}' climbs with '..': give the path from the root.", path);
            sb.Append('/').Append(part);
        }
        return sb.Length == 0 ? "/" : sb.ToString();
    }

    // What Canonical would return unchanged: "/", or "/a/b" with no empty, "." or ".." part and no blank at the end.
    private static bool IsCanonical(string? path)
    {
        if (path is null || path.Length == 0 || path[0] != '/') return false;
        if (path.Length == 1) return true;
        if (char.IsWhiteSpace(path[path.Length - 1])) return false;
        int start = 1;
        for (int i = 1; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '/') continue;
            int n = i - start;
            if (n == 0 || (path[start] == '.' && (n == 1 || (n == 2 && path[start + 1] == '.')))) return false;
            start = i + 1;
        }
        return true;
    }
}
