namespace OomTools.Engine.Memcontrol;

/// <summary>The <c>memory.events</c> counters the OOM killer raises (<c>enum memcg_memory_event</c>).</summary>
public enum MemcgEvent
{
    /// <summary><c>MEMCG_OOM</c>: a charge over the limit reached mem_cgroup_oom (<c>oom</c>), whether or not anything was killed.</summary>
    Oom,
    /// <summary><c>MEMCG_OOM_KILL</c>: a process of the cgroup was OOM-killed (<c>oom_kill</c>).</summary>
    OomKill,
    /// <summary><c>MEMCG_OOM_GROUP_KILL</c>: the cgroup was killed as a whole under memory.oom.group (<c>oom_group_kill</c>).</summary>
    OomGroupKill,
}
