namespace OomTools.Engine.Kernels;

/// <summary>The unit <c>oom_badness</c> counts in.</summary>
public enum BadnessUnit
{
    /// <summary>Before 3.5: per mille of totalpages, <c>points * 1000 / totalpages + adj</c>, clamped to 1..1000.</summary>
    PerMille,
    /// <summary>3.5 and later: pages, with the adj scaled as <c>adj * (totalpages / 1000)</c>.</summary>
    Pages,
}

/// <summary>How the root bonus worked in a kernel generation.</summary>
public enum RootBonus
{
    /// <summary>4.17 and later: none.</summary>
    None,
    /// <summary>2.6.36 – 3.4 (and RHEL 6's 2.6.32): 30 points off the per-mille score.</summary>
    PerMille30,
    /// <summary>3.5 – 3.13: <c>adj -= 30</c> before <c>adj *= totalpages / 1000</c>.</summary>
    Adj30,
    /// <summary>3.14 – 4.16: <c>points -= points * 3 / 100</c>.</summary>
    ThreePercentOfPoints,
}

/// <summary>Which of two tasks with equal points the selection loop keeps.</summary>
public enum TieRule
{
    /// <summary>Before 5.3: a strict <c>&gt;</c>, or an equal score never displacing the chosen leader.</summary>
    EarlierTask,
    /// <summary>5.3 and later: <c>points &lt; chosen_points</c> is the only reason to pass, so the later task wins.</summary>
    LaterTask,
}

/// <summary>The least an eligible task scores.</summary>
public enum BadnessFloor
{
    /// <summary>Before 5.9: every eligible task scores at least 1.</summary>
    One,
    /// <summary>5.9 and later: a signed long that may go below zero; LONG_MIN alone means "never".</summary>
    NoFloor,
}

/// <summary>What <c>/proc/PID/oom_score</c> shows for a badness (fs/proc/base.c <c>proc_oom_score</c>).</summary>
public enum OomScoreFile
{
    /// <summary>Before 3.5: the per-mille badness itself.</summary>
    Badness,
    /// <summary>3.5 – 5.8: <c>badness * 1000 / totalpages</c>.</summary>
    PerMilleOfTotal,
    /// <summary>5.9 and later: <c>(1000 + badness * 1000 / totalpages) * 2 / 3</c>, 0 to 2000 mapped to 0 to 1333.</summary>
    Normalized,
}

/// <summary>The layout of the task table <c>dump_tasks</c> prints (Kernels/HISTORY.md lists the columns).</summary>
public enum TaskTableFormat
{
    /// <summary>To 3.5 and RHEL 6's 2.6.32: <c>rss cpu oom_adj oom_score_adj</c>, no swap or page-table columns.</summary>
    CpuOomAdj,
    /// <summary>3.6 – 3.19: <c>rss nr_ptes swapents oom_score_adj</c>.</summary>
    NrPtes,
    /// <summary>4.0 – 4.14: <c>rss nr_ptes nr_pmds swapents oom_score_adj</c>.</summary>
    NrPtesNrPmds,
    /// <summary>4.15 – 4.18: <c>[ pid ] ... rss pgtables_bytes swapents oom_score_adj</c>.</summary>
    PgtablesBytes,
    /// <summary>4.19 – 6.7: the <c>Tasks state (memory values in pages):</c> line first and a 7-wide pid.</summary>
    PgtablesBytesWidePid,
    /// <summary>6.8 and later: rss split into <c>rss_anon rss_file rss_shmem</c>.</summary>
    RssSplit,
}
