using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>How one pass of oom_reap_task's loop ended.</summary>
public enum OomReapPassResult
{
    /// <summary>The pass failed (mmap_lock taken, or part of the mm could not be unmapped): another in HZ/10.</summary>
    Retry,
    /// <summary>The mm was reaped and <c>oom_reaper: reaped process</c> printed.</summary>
    Reaped,
    /// <summary>MAX_OOM_REAP_RETRIES passes failed: <c>unable to reap</c>, and MMF_OOM_SKIP set regardless.</summary>
    UnableToReap,
    /// <summary>Nothing left to do: the mm was already MMF_OOM_SKIP (exit_mmap got there first).</summary>
    NothingToReap,
}

/// <summary>What one pass of <c>oom_reap_task()</c> did to one victim.</summary>
public sealed class OomReapPass
{
    internal OomReapPass(OomTask task, int attempt, OomReapPassResult result, long pagesFreed, bool mmapLockHeld, string? message)
    {
        Task = task;
        Attempt = attempt;
        Result = result;
        PagesFreed = pagesFreed;
        MmapLockHeld = mmapLockHeld;
        Message = message;
    }

    /// <summary>The victim.</summary>
    public OomTask Task { get; }
    /// <summary>Which pass it was, from 1; MAX_OOM_REAP_RETRIES + 1 is the one that gives up.</summary>
    public int Attempt { get; }
    /// <summary>How it ended.</summary>
    public OomReapPassResult Result { get; }
    /// <summary>
    /// Anonymous, file and swap pages the pass unmapped and freed (copy-on-write pages another process still maps are
    /// unmapped but not counted).
    /// </summary>
    public long PagesFreed { get; }
    /// <summary>For a retry: a writer held mmap_lock (the trylock failed); otherwise the reap was partial.</summary>
    public bool MmapLockHeld { get; }
    /// <summary>The log line the pass printed, if any.</summary>
    public string? Message { get; }
    /// <summary>The oom_reaper is done with this victim (it was reaped, or given up on).</summary>
    public bool Finished => Result != OomReapPassResult.Retry;

    /// <summary>The pass as one line.</summary>
    public override string ToString() => $"oom_reap_task({Task}) pass {Attempt}: {Result}";
}
