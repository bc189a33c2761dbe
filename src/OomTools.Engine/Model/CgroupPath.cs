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
}
