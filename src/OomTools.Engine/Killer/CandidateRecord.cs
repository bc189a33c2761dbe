using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>
/// One task as oom_evaluate_task weighed it, kept flat (one 48-byte struct in an array) rather than as an
/// <see cref="OomCandidate"/>: a scan that records a million candidates writes a million of these, and only a reader
/// of the candidates pays for the objects. It holds what the scan read from the task at that moment (the mm's
/// counters, oom_score_adj, the root capability, the reason), so the objects made later carry the values of the
/// scan whatever happens to the task since.
/// </summary>
internal struct CandidateRecord
{
    private const byte ScoredBit = 1, DescribedBit = 2, RootBit = 4, OriginBit = 8;

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
    // The reason and the flags in a byte each, so the struct stays 48 bytes.
    private byte reason, bits;

    /// <summary>Why the task was passed over (<see cref="OomSkipReason.None"/> when scored).</summary>
    internal OomSkipReason Reason { readonly get => (OomSkipReason)reason; set => reason = (byte)value; }

    /// <summary>
    /// The task was scored. Its points are not kept: oom_badness is a function of the sum, the adj, the root
    /// capability and totalpages, all kept, so they are worked out again when read (LONG_MAX when <see cref="Origin"/>).
    /// </summary>
    internal bool Scored { readonly get => Has(ScoredBit); set => Set(ScoredBit, value); }
    /// <summary>The breakdown was filled (not for init and kernel threads, which oom_badness never looks at).</summary>
    internal bool Described { readonly get => Has(DescribedBit); set => Set(DescribedBit, value); }
    /// <summary>The task had CAP_SYS_ADMIN (the root bonus of the older eras).</summary>
    internal bool IsRoot { readonly get => Has(RootBit); set => Set(RootBit, value); }
    /// <summary>An oom_task_origin task, scored LONG_MAX without oom_badness.</summary>
    internal bool Origin { readonly get => Has(OriginBit); set => Set(OriginBit, value); }

    private readonly bool Has(byte bit) => (bits & bit) != 0;

    private void Set(byte bit, bool on) => bits = on ? (byte)(bits | bit) : (byte)(bits & ~bit);
}
