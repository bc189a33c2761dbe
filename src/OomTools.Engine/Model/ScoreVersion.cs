namespace OomTools.Engine.Model;

/// <summary>
/// One counter for every machine in the process that moves whenever something select_bad_process reads may have
/// changed: an mm's counters or flags, a task's oom_score_adj, flags, mm, oom_mm, threads, cpuset or mempolicy, a
/// cpuset's mems, the task list. The killer's score table (Killer/ScoreTable) is stamped with it when built and
/// trusted only while it has not moved, or kept in step by the code that changed it (a kill, an exit). It is one
/// counter, not one per machine, because an mm does not know its machine; a change on one machine only makes the
/// others rebuild. Code that changes any of these without their setters must call <see cref="Bump"/>.
/// </summary>
internal static class ScoreVersion
{
    private static ChangeCounter counter = ChangeCounter.Start();

    /// <summary>Called by every setter of a field the scan reads (see <see cref="ChangeCounter.Bump"/>).</summary>
    internal static void Bump() => counter.Bump();

    /// <summary>The counter now, remembered as seen, so that the next change anywhere moves it.</summary>
    internal static long Observe() => counter.Observe();

    /// <summary>The counter now, without marking it seen: what a stamped table compares itself against.</summary>
    internal static long Current => counter.Current;
}
