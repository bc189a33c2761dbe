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
    /// <summary>
    /// Asleep in a memcg OOM whose cgroup has oom_kill_disable set (v1 <c>memory.oom_control</c>): nothing was
    /// killed, the task waits on <c>OomMachine.MemcgOomWaiters</c> with what is left to charge until the limit is
    /// raised, memory is uncharged or oom_kill_disable is cleared.
    /// </summary>
    Waiting,
}
