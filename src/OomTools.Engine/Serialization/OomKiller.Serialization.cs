using System.Collections.Generic;
using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary>Refills <c>oom_reaper_list</c> with <paramref name="newestFirst"/> (as <see cref="OomReaperList"/> lists it).</summary>
    internal void RestoreReaperList(IReadOnlyList<OomTask> newestFirst)
    {
        oomReaperList.Clear();
        for (int i = newestFirst.Count - 1; i >= 0; i--) oomReaperList.Push(newestFirst[i]);
    }
}
