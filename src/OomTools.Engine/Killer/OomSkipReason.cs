namespace OomTools.Engine.Killer;

/// <summary>Why oom_badness or oom_evaluate_task passed a task over (or stopped the scan).</summary>
public enum OomSkipReason
{
    /// <summary>Scored normally.</summary>
    None,
    /// <summary><c>is_global_init()</c>.</summary>
    GlobalInit,
    /// <summary><c>PF_KTHREAD</c>.</summary>
    KernelThread,
    /// <summary>Not in the OOM's cpuset or mempolicy nodes (<c>oom_cpuset_eligible</c>).</summary>
    OutsideNodes,
    /// <summary><c>find_lock_task_mm()</c> found no thread with an mm.</summary>
    NoMm,
    /// <summary>oom_score_adj is OOM_SCORE_ADJ_MIN (-1000).</summary>
    OomScoreAdjMin,
    /// <summary>The mm has MMF_OOM_SKIP (already reaped or exiting).</summary>
    MmOomSkip,
    /// <summary>In the middle of vfork.</summary>
    InVfork,
    /// <summary>An earlier OOM victim whose mm was already reaped: skipped, the scan goes on.</summary>
    ReapedVictim,
    /// <summary>An earlier OOM victim still exiting: the scan is aborted and nothing is killed.</summary>
    VictimExiting,
}
