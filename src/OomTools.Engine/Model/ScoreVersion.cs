using System.Threading;

namespace OomTools.Engine.Model;

/// <summary>
/// One counter for every machine in the process that moves whenever something select_bad_process reads may have
/// changed: an mm's counters or flags, a task's oom_score_adj, flags, mm, oom_mm, threads, cpuset or mempolicy, a
/// cpuset's mems, the task list. The killer's score table (Killer/ScoreTable) is stamped with it when built and
/// trusted only while it has not moved. It is one counter, not one per machine, because an mm does not know its
/// machine; a change on one machine only makes the others rebuild. Code that changes any of these without their
/// setters must call <see cref="Bump"/>.
/// </summary>
internal static class ScoreVersion
{
    private static long current = 1, observed;

    /// <summary>
    /// Called by every setter of a field the scan reads. Only the first change after a table was stamped needs
    /// the counter to move, so the atomic increment is taken only when the counter still reads what the last stamp
    /// saw: a machine being built or mutated in a loop pays two reads a change, and parallel runspaces do not
    /// fight over the counter's cache line.
    /// </summary>
    internal static void Bump()
    {
        // current first: observed never exceeds current, so reading it second can only make a bump more likely.
        if (Volatile.Read(ref current) == Volatile.Read(ref observed)) Interlocked.Increment(ref current);
    }

    /// <summary>The counter now, remembered as seen, so that the next change anywhere moves it.</summary>
    internal static long Observe()
    {
        long v = Volatile.Read(ref current);
        long o;
        while ((o = Volatile.Read(ref observed)) < v && Interlocked.CompareExchange(ref observed, v, o) != o) { }
        return v;
    }

    /// <summary>The counter now, without marking it seen: what a stamped table compares itself against.</summary>
    internal static long Current => Volatile.Read(ref current);
}
