using System.Collections.Generic;
using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>
/// One task as the OOM killer weighed it: its points (oom_badness) with their parts, or why it was passed
/// over; its /proc oom_score; and its rank among the killable ones (1 = the one the kernel chooses).
/// </summary>
public sealed class OomCandidate
{
    internal OomCandidate(OomTask task, int order) { Task = task; Order = order; }

    public OomTask Task { get; }
    public int Pid => Task.Pid;
    public string Name => Task.Comm;
    public string Cgroup => Task.Memcg.Path;
    /// <summary>Position in scan order (ties go to the later one).</summary>
    public int Order { get; }

    /// <summary>oom_badness in pages (LONG_MAX for an OOM-origin task); null when passed over.</summary>
    public long? Points { get; internal set; }
    public OomSkipReason Reason { get; internal set; }
    public bool Killable => Points.HasValue;

    public long RssPages { get; internal set; }
    public long SwapPages { get; internal set; }
    public long PageTablePages { get; internal set; }
    public int OomScoreAdj { get; internal set; }
    /// <summary>
    /// <c>adj * (totalpages / 1000)</c>: the oom_score_adj term in pages (before 3.5, when the score was per mille,
    /// the adj itself).
    /// </summary>
    public long AdjPages { get; internal set; }
    /// <summary>The root bonus in the same unit (zero or negative): what CAP_SYS_ADMIN took off before 4.17.</summary>
    public long RootBonus { get; internal set; }
    public long TotalPages { get; internal set; }
    /// <summary>What <c>/proc/PID/oom_score</c> shows (global totalpages, 0 when unkillable).</summary>
    public long OomScore { get; internal set; }
    /// <summary>1 for the task the kernel would choose; 0 when not killable.</summary>
    public int Rank { get; internal set; }

    public override string ToString() => Points is { } p ? $"{Pid} ({Name}) {p}" : $"{Pid} ({Name}) {Reason}";

    /// <summary>Ranks killable candidates: most points first, and among equals the one the era's tie rule keeps.</summary>
    internal static void RankAll(List<OomCandidate> list, bool tiesToLater = true)
    {
        var killable = list.FindAll(c => c.Points.HasValue);
        killable.Sort((a, b) => a.Points != b.Points ? b.Points!.Value.CompareTo(a.Points!.Value)
            : tiesToLater ? b.Order.CompareTo(a.Order) : a.Order.CompareTo(b.Order));
        for (int i = 0; i < killable.Count; i++) killable[i].Rank = i + 1;
    }
}
