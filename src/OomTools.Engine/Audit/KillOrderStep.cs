using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Audit;

/// <summary>One OOM of a kill-order run: whom it chose, every process it killed and the memory their exit freed.</summary>
public sealed class KillOrderStep
{
    public int Step { get; internal set; }
    public int Pid { get; internal set; }
    public string Name { get; internal set; } = "";
    /// <summary>oom_badness of the victim when it was chosen.</summary>
    public long? Points { get; internal set; }
    public IReadOnlyList<int> Killed { get; internal set; } = new List<int>();
    /// <summary>Pages released when the killed processes exited (rss + swap + page tables of each mm freed).</summary>
    public Pages Freed { get; internal set; }
    public Pages TotalFreed { get; internal set; }
    public string Cgroup { get; internal set; } = "/";

    public override string ToString() => $"#{Step} {Pid} ({Name}) freed {Freed} pages";
}
