namespace OomTools.Engine.Model;

/// <summary>
/// The counters that move whenever something select_bad_process reads may have changed: an mm's counters or flags,
/// a task's oom_score_adj, flags, mm, oom_mm, threads, cpuset or mempolicy, a cpuset's mems, the task list. The
/// killer's score table (Killer/ScoreTable) is stamped with them when built (<see cref="VersionStamp"/>) and
/// trusted only while neither has moved, or kept in step by the code that changed it (a kill, an exit: the
/// machine's <see cref="ScoreJournal"/>). A change made with an <see cref="AmbientMachine"/> moves that machine's
/// counter, so audits of other machines on other threads keep their tables; any other change moves the
/// process-wide one, which every table also checks, because an mm does not know its machine. Code that changes any
/// of these without their setters must call <see cref="Bump"/>.
/// </summary>
internal static class ScoreVersion
{
    private static readonly VersionCounter Counter = new(OomMachine.ScoreSlot);

    /// <summary>Called by every setter of a field the scan reads.</summary>
    internal static void Bump() => Counter.Bump();

    /// <summary>The counters of <paramref name="m"/> now, remembered as seen.</summary>
    internal static VersionStamp Observe(OomMachine m) => Counter.Observe(m);

    /// <summary>The counters of <paramref name="m"/> now: what a stamped table compares itself against.</summary>
    internal static VersionStamp Current(OomMachine m) => Counter.Current(m);
}
