using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// Something due at a jiffy. Holds the task itself: the reaper keeps a reference to an exited victim. A value kept in
/// the queue's list, not an object of its own: every kill queues two (its exit and its reaper timer).
/// </summary>
internal readonly struct Pending
{
    public Pending(Jiffies at, long seq, PendingKind kind, OomTask task, int attempt)
    {
        At = at;
        Seq = seq;
        Kind = kind;
        Task = task;
        Attempt = attempt;
    }

    public Jiffies At { get; }
    /// <summary>Order of scheduling, which the document keeps.</summary>
    public long Seq { get; }
    public PendingKind Kind { get; }
    public OomTask Task { get; }
    /// <summary>For <see cref="PendingKind.ReaperAttempt"/>: which pass of oom_reap_task's loop it is.</summary>
    public int Attempt { get; }
}
