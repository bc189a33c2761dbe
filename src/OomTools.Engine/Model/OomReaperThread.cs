using System.Collections.Generic;

namespace OomTools.Engine.Model;

/// <summary>
/// The oom_reaper kernel thread's state, one of oom_kill.c's globals: <c>oom_reaper_list</c> (a LIFO chain the
/// timer pushes onto and the thread pops from) and the victim whose oom_reap_task loop the thread is in.
/// </summary>
internal sealed class OomReaperThread
{
    /// <summary><c>oom_reaper_list</c>, newest first.</summary>
    public Stack<OomTask> List { get; } = new();

    /// <summary>The victim oom_reap_task is working on (between its HZ/10 retries); null when the thread waits.</summary>
    public OomTask? BusyWith { get; set; }

    /// <summary>A copy for a cloned machine, with each task replaced by its twin (tasks without one are dropped).</summary>
    internal OomReaperThread CloneMapped(TaskTwins map)
    {
        var copy = new OomReaperThread();
        var items = List.ToArray();
        for (int i = items.Length - 1; i >= 0; i--)
            if (map.TryGetValue(items[i], out var twin)) copy.List.Push(twin);
        if (BusyWith is not null && map.TryGetValue(BusyWith, out var busy)) copy.BusyWith = busy;
        return copy;
    }
}
