using System.Collections.Generic;
using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Model;

namespace OomTools;

/// <summary>Picks a machine's tasks by pid, by name (wildcards) and by memory cgroup, as Get/Set/Remove-OomTask do.</summary>
internal static class TaskFilter
{
    /// <summary>
    /// Tasks matching every given filter, in task-list order. A pid or a wildcard-free name that matches nothing
    /// is reported through <paramref name="notFound"/>.
    /// </summary>
    public static List<OomTask> Select(OomMachine machine, int[]? pids, string[]? names, string? cgroup,
        System.Action<OomEngineException> notFound)
    {
        var patterns = Patterns(names);
        MemoryCgroup? cg = cgroup is null ? null : machine.GetCgroup(cgroup);

        var result = new List<OomTask>();
        var seenPids = new HashSet<int>();
        var seenNames = new bool[patterns.Length];
        foreach (var t in machine.Tasks)
        {
            if (pids is not null && System.Array.IndexOf(pids, t.Pid) < 0) continue;
            if (cg is not null && !t.Memcg.IsDescendantOf(cg)) continue;
            if (patterns.Length > 0)
            {
                bool any = false;
                for (int i = 0; i < patterns.Length; i++)
                    if (patterns[i].IsMatch(t.Comm)) { any = true; seenNames[i] = true; }
                if (!any) continue;
            }
            seenPids.Add(t.Pid);
            result.Add(t);
        }
        if (pids is not null)
            foreach (var pid in pids)
                if (!seenPids.Contains(pid))
                    notFound(new OomEngineException(OomError.TaskNotFound, $"Machine '{machine.Name}' has no process with pid {pid}{(cgroup is null && names is null ? "" : " that matches the other filters")}.", pid));
        if (names is not null)
            for (int i = 0; i < names.Length; i++)
                if (!seenNames[i] && !WildcardPattern.ContainsWildcardCharacters(names[i]))
                    notFound(new OomEngineException(OomError.TaskNotFound, $"Machine '{machine.Name}' has no process named '{names[i]}'.", names[i]));
        return result;
    }

    /// <summary>
    /// The -Name patterns, each parsed now (WildcardPattern parses lazily, on its first match), so a pattern such as
    /// '[' is refused with a WildcardPatternException before any task is read or changed.
    /// </summary>
    public static WildcardPattern[] Patterns(string[]? names)
    {
        if (names is null) return System.Array.Empty<WildcardPattern>();
        var patterns = new WildcardPattern[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            patterns[i] = new WildcardPattern(names[i] ?? "", WildcardOptions.IgnoreCase);
            patterns[i].IsMatch("");
        }
        return patterns;
    }
}
