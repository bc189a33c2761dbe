namespace OomTools.Engine.Model;

/// <summary>
/// The fields of an <see cref="OomTask"/> that most processes leave at their defaults: the other threads of a
/// multi-threaded process, a tgid other than the pid, where a host snapshot read it, <c>signal-&gt;oom_mm</c>, the
/// exit, core-dump and oom_reaper jiffies and an MPOL_BIND mempolicy. Created on the first write of a value other
/// than the default, so a million plain processes do not each carry them (bench/: bytes per task).
/// </summary>
internal sealed class OomTaskCold
{
    /// <summary>The jiffy fields' "none": 8-byte fields instead of 16-byte nullable longs.</summary>
    internal const long NoJiffy = long.MinValue;

    // The other threads' ids as ThreadIds stores them; null for none.
    internal int[]? threads;
    internal int tgid;
    internal HostOrigin? hostOrigin;
    internal MemoryDescriptor? oomMm;
    internal long exitLatencyJiffies = NoJiffy, coreDumpUntil = NoJiffy, reaperTimerExpires = NoJiffy;
    internal ulong mempolicyBind;
    internal bool hasMempolicyBind;

    /// <summary>A copy for a copied task: the same values (the thread array is shared, as it is only ever replaced whole).</summary>
    internal OomTaskCold Copy() => (OomTaskCold)MemberwiseClone();
}
