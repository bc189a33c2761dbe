namespace OomTools.Engine.PageAlloc;

/// <summary>What one charge ended in.</summary>
public enum ChargeResult
{
    /// <summary>The pages were charged.</summary>
    Charged,
    /// <summary>The allocating task was killed (by the OOM killer) before it got its memory.</summary>
    Killed,
    /// <summary>-ENOMEM: the OOM killer could not help (disabled, nothing killable, nothing freeing).</summary>
    NoMemory,
    /// <summary>The machine panicked.</summary>
    Panicked,
}
