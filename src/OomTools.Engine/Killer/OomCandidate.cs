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

    /// <summary>The process weighed.</summary>
    public OomTask Task { get; }
    /// <summary>The task's pid (<see cref="OomTask.Pid"/>).</summary>
    public int Pid => Task.Pid;
    /// <summary>The task's <c>comm</c> (15 characters at most), as dump_task prints it.</summary>
    public string Name => Task.Comm;
    /// <summary>The path of the task's memory cgroup (<c>task_memcg=</c> in the oom-kill line).</summary>
    public string Cgroup => Task.Memcg.Path;
    /// <summary>Position in scan order (ties go to the later one).</summary>
    public int Order { get; }

    /// <summary>oom_badness in pages (LONG_MAX for an OOM-origin task); null when passed over.</summary>
    public long? Points { get; internal set; }
    /// <summary>Why oom_badness or oom_evaluate_task passed the task over; <see cref="OomSkipReason.None"/> when it was scored.</summary>
    public OomSkipReason Reason { get; internal set; }
    /// <summary>The task was scored (<see cref="Points"/> has a value), so it could be chosen.</summary>
    public bool Killable => Points.HasValue;

    /// <summary><c>get_mm_rss()</c> of its mm: file + anon + shmem pages, the first term of oom_badness (0 without an mm).</summary>
    public long RssPages { get; internal set; }
    /// <summary><c>MM_SWAPENTS</c> of its mm: swap entries, in pages.</summary>
    public long SwapPages { get; internal set; }
    /// <summary><c>mm_pgtables_bytes()</c> divided by the page size: the page-table term of oom_badness, in pages.</summary>
    public long PageTablePages { get; internal set; }
    /// <summary><c>signal-&gt;oom_score_adj</c> when the task was weighed (-1000 to 1000).</summary>
    public int OomScoreAdj { get; internal set; }
    /// <summary>
    /// <c>adj * (totalpages / 1000)</c>: the oom_score_adj term in pages (before 3.5, when the score was per mille,
    /// the adj itself).
    /// </summary>
    public long AdjPages { get; internal set; }
    /// <summary>The root bonus in the same unit (zero or negative): what CAP_SYS_ADMIN took off before 4.17.</summary>
    public long RootBonus { get; internal set; }
    /// <summary><c>oc-&gt;totalpages</c> the points were scored against: RAM + swap, or the memcg limit or the constraint's nodes plus swap, in pages.</summary>
    public long TotalPages { get; internal set; }
    /// <summary>
    /// What <c>/proc/PID/oom_score</c> shows for every task weighed, passed over or not (global totalpages, whatever
    /// the OOM's domain or nodes; 0 only where oom_badness is LONG_MIN).
    /// </summary>
    public long OomScore { get; internal set; }
    /// <summary>1 for the task the kernel would choose; 0 when not killable.</summary>
    public int Rank { get; internal set; }

    /// <summary>
    /// The candidate a scan recorded flat: the breakdown's terms and the points worked out again from the recorded
    /// sum, adj and root capability under the scan's rules (oom_badness's own arithmetic), as
    /// <see cref="OomKiller.Describe"/> fills them.
    /// </summary>
    internal static OomCandidate From(in CandidateRecord r, long totalPages, Kernels.KernelRules scoring)
    {
        var c = new OomCandidate(r.Task, r.Order);
        c.Fill(r, totalPages, scoring);
        return c;
    }

    /// <summary>Sets the values of a record (a task passed over as init or a kernel thread has its reason only).</summary>
    internal void Fill(in CandidateRecord r, long totalPages, Kernels.KernelRules scoring)
    {
        Reason = r.Reason;
        if (!r.Described) return;
        TotalPages = totalPages;
        OomScoreAdj = r.OomScoreAdj;
        RssPages = r.RssPages;
        SwapPages = r.SwapPages;
        PageTablePages = r.PageTablePages;
        var terms = scoring.Score(RssPages + SwapPages + PageTablePages, r.OomScoreAdj, totalPages, r.IsRoot);
        AdjPages = terms.AdjTerm;
        RootBonus = terms.RootTerm;
        OomScore = r.OomScore;
        if (r.Scored) Points = r.Origin ? long.MaxValue : scoring.Badness(RssPages + SwapPages + PageTablePages, r.OomScoreAdj, totalPages, r.IsRoot);
    }

    /// <summary><c>PID (comm) points</c>, or <c>PID (comm) reason</c> for a task passed over.</summary>
    public override string ToString() => Points is { } p ? $"{Pid} ({Name}) {p}" : $"{Pid} ({Name}) {Reason}";

    /// <summary>Ranks killable candidates: most points first, and among equals the one the era's tie rule keeps.</summary>
    internal static void RankAll(List<OomCandidate> list, bool tiesToLater = true)
    {
        // The keys are sorted as an array of structs, not the objects through a comparison delegate: at a million
        // candidates the objects lie all over the heap and a sort visits each about twenty times.
        int n = 0;
        foreach (var c in list) if (c.Points.HasValue) n++;
        var keys = new RankKey[n];
        int k = 0;
        for (int i = 0; i < list.Count; i++)
            if (list[i].Points is { } p) keys[k++] = RankKey.For(p, list[i].Order, i, tiesToLater);
        System.Array.Sort(keys);
        for (int r = 0; r < n; r++) list[keys[r].Index].Rank = r + 1;
    }

    /// <summary>A candidate's place in the ranking: points descending, then the tie key ascending, then list position.</summary>
    internal readonly struct RankKey : System.IComparable<RankKey>
    {
        public RankKey(long points, long tie, int index) { Points = points; Tie = tie; Index = index; }

        /// <summary>The key of a task with <paramref name="points"/> at scan position <paramref name="order"/>: among equals the later one first when the era's ties go to the later task.</summary>
        public static RankKey For(long points, int order, int index, bool tiesToLater) =>
            new(points, tiesToLater ? -(long)order : order, index);
        public long Points { get; }
        public long Tie { get; }
        public int Index { get; }
        public int CompareTo(RankKey other) =>
            Points != other.Points ? other.Points.CompareTo(Points)
            : Tie != other.Tie ? Tie.CompareTo(other.Tie)
            : Index.CompareTo(other.Index);
    }
}
