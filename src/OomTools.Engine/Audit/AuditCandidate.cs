using OomTools.Engine.Killer;

namespace OomTools.Engine.Audit;

/// <summary>
/// One process of an audited OOM domain as oom_badness weighed it: its points and their parts, its rank, or why
/// the scan passed it over. A copy of the values, not a live view of the task.
/// </summary>
public sealed class AuditCandidate
{
    private AuditCandidate(OomCandidate c)
    {
        Pid = c.Pid;
        Name = c.Name;
        Cgroup = c.Cgroup;
        Rank = c.Rank;
        Points = c.Points;
        Reason = c.Reason;
        RssPages = c.RssPages;
        SwapPages = c.SwapPages;
        PageTablePages = c.PageTablePages;
        AdjPages = c.AdjPages;
        OomScoreAdj = c.OomScoreAdj;
    }

    internal static AuditCandidate Of(OomCandidate candidate) => new(candidate);

    /// <summary>The process id.</summary>
    public int Pid { get; }
    /// <summary>The comm.</summary>
    public string Name { get; }
    /// <summary>The memory cgroup's path.</summary>
    public string Cgroup { get; }
    /// <summary>1 for the process the kernel would choose; 0 when it is never chosen.</summary>
    public int Rank { get; }
    /// <summary>oom_badness in pages (LONG_MAX for an OOM-origin task); null when passed over.</summary>
    public long? Points { get; }
    /// <summary>Why oom_badness or oom_evaluate_task passed it over, when <see cref="Points"/> is null.</summary>
    public OomSkipReason Reason { get; }
    /// <summary>Resident pages counted by oom_badness.</summary>
    public long RssPages { get; }
    /// <summary>Swap entries counted by oom_badness.</summary>
    public long SwapPages { get; }
    /// <summary>Page-table pages counted by oom_badness.</summary>
    public long PageTablePages { get; }
    /// <summary>The oom_score_adj term in pages.</summary>
    public long AdjPages { get; }
    /// <summary>The oom_score_adj the points were worked out with.</summary>
    public int OomScoreAdj { get; }
}
