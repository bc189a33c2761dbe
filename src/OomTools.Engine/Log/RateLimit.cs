using OomTools.Engine.Units;

namespace OomTools.Engine.Log;

/// <summary>
/// lib/ratelimit.c's <c>__ratelimit()</c> with <c>DEFAULT_RATELIMIT_INTERVAL</c> (5 s) and
/// <c>DEFAULT_RATELIMIT_BURST</c> (10): fixed windows that start at the first call; when a window has
/// expired, the suppressed count is reported as <c>"&lt;func&gt;: N callbacks suppressed"</c> before the new call.
/// </summary>
public sealed class RateLimit
{
    private static readonly KernelLogFormat SuppressedFormat = KernelLogFormat.Of("{s0}: {n0} callbacks suppressed");
    private readonly string function;
    private readonly int burst;
    private Jiffies begin;
    private bool started;
    private int printed, missed;

    /// <summary><c>DEFINE_RATELIMIT_STATE</c> for <paramref name="function"/> (the name in the "callbacks suppressed" line), allowing <paramref name="burst"/> prints per interval.</summary>
    public RateLimit(string function, int burst = 10)
    {
        this.function = function;
        this.burst = burst;
    }

    /// <summary><c>DEFAULT_RATELIMIT_INTERVAL</c>: 5*HZ.</summary>
    public static Jiffies DefaultInterval(int hz) => Jiffies.FromSeconds(5, hz);

    /// <summary>True when the caller may print at <paramref name="now"/>; <paramref name="interval"/> is 5*HZ for the OOM killer.</summary>
    public bool Allow(Jiffies now, Jiffies interval, KernelLog log)
    {
        if (!started) { begin = now; started = true; }
        if (now > begin + interval)
        {
            if (missed > 0)
            {
                log.Write(KernelLogLevel.Warning, SuppressedFormat, new KernelLogArgs(function, null, missed));
                missed = 0;
            }
            begin = now;
            printed = 0;
        }
        if (burst > printed) { printed++; return true; }
        missed++;
        return false;
    }

    internal RateLimit Clone() => (RateLimit)MemberwiseClone();
}
