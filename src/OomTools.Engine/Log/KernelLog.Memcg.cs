namespace OomTools.Engine.Log;

public sealed partial class KernelLog
{
    private static readonly KernelLogFormat MemcgCounterFormat = KernelLogFormat.Of("{s0}: usage {n0}kB, limit {n1}kB, failcnt 0");

    /// <summary>
    /// <c>mem_cgroup_print_oom_meminfo()</c>'s <c>"%s: usage %llukB, limit %llukB, failcnt %lu"</c>
    /// (<see cref="KernelLogLevel.Info"/>) for the page counter <paramref name="counter"/> (<c>memory</c>, <c>swap</c>,
    /// <c>memory+swap</c>, <c>kmem</c>); the model keeps no failure count.
    /// </summary>
    public void MemcgCounter(string counter, long usageKb, long limitKb) =>
        Write(KernelLogLevel.Info, MemcgCounterFormat, new KernelLogArgs(counter, null, usageKb, limitKb));
}
