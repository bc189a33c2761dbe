using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// A charge asleep on <c>memcg_oom_waitq</c> (<c>current-&gt;memcg_in_oom</c> and <c>mem_cgroup_oom_synchronize</c>):
/// its task faulted over the limit of a cgroup with oom_kill_disable set and waits, instead of an OOM kill, until
/// <c>memcg1_oom_recover</c> wakes it (the limit raised, memory uncharged, oom_kill_disable cleared); then the fault
/// and its charge are tried again.
/// </summary>
public sealed class MemcgOomWaiter
{
    internal MemcgOomWaiter(OomTask task, MemoryCgroup memcg, Pages pagesLeft)
    {
        Task = task;
        Memcg = memcg;
        PagesLeft = pagesLeft;
    }

    /// <summary>The task waiting.</summary>
    public OomTask Task { get; internal set; }
    /// <summary>The cgroup whose OOM it waits on (<c>memcg_in_oom</c>): the one over its limit.</summary>
    public MemoryCgroup Memcg { get; internal set; }
    /// <summary>The pages its allocation still has to charge once it runs again.</summary>
    public Pages PagesLeft { get; internal set; }
    /// <summary>Woken (<c>memcg_oom_wake_function</c>): it no longer marks under_oom and retries its charge when it next runs.</summary>
    public bool Woken { get; internal set; }

    /// <summary><c>PID (comm) waits on /path</c>.</summary>
    public override string ToString() => $"{Task} {(Woken ? "woken from" : "waits on")} {Memcg.Path}";
}
