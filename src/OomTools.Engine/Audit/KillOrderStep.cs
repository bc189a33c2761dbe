using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Audit;

/// <summary>One OOM of a kill-order run: whom it chose, every process it killed and the memory their exit freed.</summary>
public sealed class KillOrderStep
{
    /// <summary>The OOM's number in the run, from 1.</summary>
    public int Step { get; internal set; }
    /// <summary>The pid of the process the OOM chose (<c>oc->chosen</c>).</summary>
    public int Pid { get; internal set; }
    /// <summary>The chosen process's comm.</summary>
    public string Name { get; internal set; } = "";
    /// <summary>oom_badness of the victim when it was chosen.</summary>
    public long? Points { get; internal set; }
    /// <summary>
    /// The pids this OOM killed, the chosen one first, then the processes sharing its mm (or the rest of a
    /// memory.oom.group cgroup).
    /// </summary>
    public IReadOnlyList<int> Killed { get; internal set; } = System.Array.Empty<int>();
    /// <summary>
    /// Pages released when the killed processes exited: the own rss, swap and page tables of each mm freed, and the
    /// shared objects whose last mapping went with them (shared pages a survivor still maps are not counted).
    /// </summary>
    public Pages Freed { get; internal set; }
    /// <summary>Pages freed by this step and every step before it.</summary>
    public Pages TotalFreed { get; internal set; }
    /// <summary>The path of the chosen process's memory cgroup ("/" for the root).</summary>
    public string Cgroup { get; internal set; } = "/";
    /// <summary>The machine's page size, for showing <see cref="Freed"/> and <see cref="TotalFreed"/> in bytes.</summary>
    public int PageSize { get; internal set; } = 4096;

    /// <summary>The step as "#N pid (name) freed P pages".</summary>
    public override string ToString() => $"#{Step} {Pid} ({Name}) freed {Freed} pages";
}
