using OomTools.Engine.Units;

namespace OomTools.Engine.Time;

/// <summary>
/// <c>wait_event_timeout()</c> on a machine's clock: lets time pass — running whatever falls due meanwhile —
/// until a condition holds or the timeout has passed. A function of a lower layer (oom_killer_disable) waits
/// through it without knowing who runs time.
/// </summary>
public interface IWaitEvent
{
    /// <summary>
    /// Waits up to <paramref name="timeout"/> for <paramref name="condition"/>; true when it held in time
    /// (at once included), false when the time ran out (the clock then stands at the deadline).
    /// </summary>
    bool WaitEventTimeout(System.Func<bool> condition, Jiffies timeout);
}
