using System;

namespace OomTools.Engine.Model;

/// <summary>The bits of <c>mm-&gt;flags</c> the OOM killer reads and writes (include/linux/sched/coredump.h).</summary>
[Flags]
public enum MmFlags
{
    /// <summary>No bit set.</summary>
    None = 0,
    /// <summary><c>MMF_OOM_SKIP</c>: of no interest to the OOM killer any more (reaped, exited, or pinned by init).</summary>
    OomSkip = 1 << 21,
    /// <summary><c>MMF_UNSTABLE</c>: the reaper has started to unmap it.</summary>
    Unstable = 1 << 22,
    /// <summary><c>MMF_OOM_REAP_QUEUED</c>: queued for the oom_reaper once; never cleared.</summary>
    OomReapQueued = 1 << 25,
    /// <summary><c>MMF_MULTIPROCESS</c>: shared by processes through CLONE_VM.</summary>
    MultiProcess = 1 << 26,
}
