using System.Collections.Generic;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    private List<MemcgOomWaiter> memcgOomWaitq = new();

    /// <summary>
    /// <c>memcg_oom_waitq</c>: charges waiting in a memcg OOM with oom_kill_disable set, in the order they began
    /// waiting; a woken one stays until its charge is tried again.
    /// </summary>
    public IReadOnlyList<MemcgOomWaiter> MemcgOomWaiters => memcgOomWaitq;

    /// <summary>
    /// <c>mem_cgroup_oom_synchronize()</c>'s sleep: <paramref name="task"/> waits on <paramref name="memcg"/>'s OOM
    /// and marks under_oom in its subtree (<c>mem_cgroup_mark_under_oom</c>).
    /// </summary>
    internal MemcgOomWaiter AddMemcgOomWaiter(OomTask task, MemoryCgroup memcg, Units.Pages pagesLeft)
    {
        var w = new MemcgOomWaiter(task, memcg, pagesLeft);
        foreach (var c in memcg.SubtreePreOrder()) c.underOom++;
        memcgOomWaitq.Add(w);
        return w;
    }

    /// <summary>
    /// <c>memcg1_oom_recover()</c> and <c>memcg_oom_wake_function()</c>: wakes every charge waiting on an OOM of
    /// <paramref name="memcg"/>, an ancestor or a descendant (an OOM elsewhere is not woken); each woken one
    /// takes its under_oom mark off. Nothing happens while the cgroup is not under OOM. Returns how many woke.
    /// </summary>
    internal int WakeMemcgOomWaiters(MemoryCgroup memcg)
    {
        if (!memcg.UnderOom) return 0;
        int woken = 0;
        foreach (var w in memcgOomWaitq)
        {
            if (w.Woken || !(w.Memcg.IsDescendantOf(memcg) || memcg.IsDescendantOf(w.Memcg))) continue;
            Unmark(w);
            woken++;
        }
        return woken;
    }

    /// <summary>Takes a woken (or dying) waiter off the wait queue, its mark off under_oom if it still has one.</summary>
    internal void RemoveMemcgOomWaiter(MemcgOomWaiter w)
    {
        if (!w.Woken) Unmark(w);
        memcgOomWaitq.Remove(w);
    }

    private static void Unmark(MemcgOomWaiter w)
    {
        w.Woken = true;
        foreach (var c in w.Memcg.SubtreePreOrder()) if (c.underOom > 0) c.underOom--;
    }

    /// <summary>An exiting task's memory leaves its cgroup: its own wait ends, and waiters on a related OOM wake.</summary>
    private void MemcgOomReleased(OomTask task)
    {
        if (memcgOomWaitq.Count == 0) return;
        for (int i = memcgOomWaitq.Count - 1; i >= 0; i--)
            if (ReferenceEquals(memcgOomWaitq[i].Task, task)) RemoveMemcgOomWaiter(memcgOomWaitq[i]);
        WakeMemcgOomWaiters(task.Memcg);
    }

    /// <summary>The wait queue of a copy: the same waits, on the copy's tasks and cgroups.</summary>
    private List<MemcgOomWaiter> CloneMemcgOomWaitq(TaskTwins taskMap, Dictionary<MemoryCgroup, MemoryCgroup> cgMap)
    {
        var copy = new List<MemcgOomWaiter>(memcgOomWaitq.Count);
        foreach (var w in memcgOomWaitq)
            copy.Add(new MemcgOomWaiter(taskMap[w.Task], cgMap[w.Memcg], w.PagesLeft) { Woken = w.Woken });
        return copy;
    }
}
