using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>
/// One task as oom_evaluate_task weighed it, kept flat (one struct in an array) rather than as an
/// <see cref="OomCandidate"/>: a scan that records a million candidates writes a million of these, and only a reader
/// of the candidates pays for the objects. It holds what the scan read from the task at that moment (the mm's
/// counters, oom_score_adj, the root capability, the points or the reason), so the objects made later carry the
/// values of the scan whatever happens to the task since.
/// </summary>
internal struct CandidateRecord
{
    /// <summary>The task weighed.</summary>
    internal OomTask Task;
    /// <summary>get_mm_rss, MM_SWAPENTS and the page-table pages of its mm (0 without one).</summary>
    internal long RssPages, SwapPages, PageTablePages;
    /// <summary>/proc/PID/oom_score at the scan.</summary>
    internal long OomScore;
    /// <summary>Position in scan order.</summary>
    internal int Order;
    /// <summary>signal-&gt;oom_score_adj at the scan.</summary>
    internal short OomScoreAdj;
    /// <summary>Why the task was passed over (<see cref="OomSkipReason.None"/> when scored).</summary>
    internal OomSkipReason Reason;
    /// <summary>
    /// The task was scored. Its points are not kept: oom_badness is a function of the sum, the adj, the root
    /// capability and totalpages, all kept, so they are worked out again when read (LONG_MAX when <see cref="Origin"/>).
    /// </summary>
    internal bool Scored;
    /// <summary>An oom_task_origin task, scored LONG_MAX without oom_badness.</summary>
    internal bool Origin;
    /// <summary>The breakdown was filled (not for init and kernel threads, which oom_badness never looks at).</summary>
    internal bool Described;
    /// <summary>The task had CAP_SYS_ADMIN (the root bonus of the older eras).</summary>
    internal bool IsRoot;
}
