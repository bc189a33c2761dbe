namespace OomTools.Engine.Log;

/// <summary>
/// lib/ratelimit.c's <c>__ratelimit()</c> with <c>DEFAULT_RATELIMIT_INTERVAL</c> (5 s) and
/// <c>DEFAULT_RATELIMIT_BURST</c> (10): fixed windows that start at the first call; when a window has
/// expired, the suppressed count is reported as <c>"&lt;func&gt;: N callbacks suppressed"</c> before the new call.
/// </summary>
public sealed class RateLimit
{
    private readonly string function;
    private readonly int burst;
    private long begin;
    private bool started;
    private int printed, missed;

    /// <summary><c>DEFINE_RATELIMIT_STATE</c> for <paramref name="function"/> (the name in the "callbacks suppressed" line), allowing <paramref name="burst"/> prints per interval.</summary>
    public RateLimit(string function, int burst = 10)
    {
        this.function = function;
        this.burst = burst;
    }

    /// <summary>True when the caller may print; <paramref name="intervalJiffies"/> is 5*HZ for the OOM killer.</summary>
    public bool Allow(long jiffies, long intervalJiffies, KernelLog log)
    {
        if (!started) { begin = jiffies; started = true; }
        if (jiffies > begin + intervalJiffies)
        {
            if (missed > 0)
            {
                log.Warn($"{function}: {missed} callbacks suppressed");
                missed = 0;
            }
            begin = jiffies;
            printed = 0;
        }
        if (burst > printed) { printed++; return true; }
        missed++;
        return false;
    }

    internal RateLimit Clone() => (RateLimit)MemberwiseClone();
}
