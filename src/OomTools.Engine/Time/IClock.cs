namespace OomTools.Engine.Time;

/// <summary>The machine's time since boot. Behind an interface so tests and replays control it.</summary>
public interface IClock
{
    /// <summary>Nanoseconds since boot (what printk's <c>[seconds.micros]</c> stamp shows).</summary>
    long Nanoseconds { get; }
}
