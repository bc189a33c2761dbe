namespace OomTools.Engine.Kernels;

/// <summary>
/// oom_badness of one eligible task, term by term, in the unit of its era (pages from 3.5, per mille of
/// totalpages before): <c>Points = clamp(Base + AdjTerm + RootTerm)</c>.
/// </summary>
public readonly struct BadnessTerms
{
    internal BadnessTerms(long basePoints, long adjTerm, long rootTerm, long points)
    {
        Base = basePoints;
        AdjTerm = adjTerm;
        RootTerm = rootTerm;
        Points = points;
    }

    /// <summary>rss + swap entries + page-table pages (per mille of totalpages before 3.5).</summary>
    public long Base { get; }
    /// <summary>What oom_score_adj adds: <c>adj * (totalpages / 1000)</c> pages (the adj itself, per mille, before 3.5).</summary>
    public long AdjTerm { get; }
    /// <summary>The root bonus (zero or negative): what CAP_SYS_ADMIN took off in the kernels that had one.</summary>
    public long RootTerm { get; }
    /// <summary>The badness the selection compares, after the era's floor and clamp.</summary>
    public long Points { get; }
}
