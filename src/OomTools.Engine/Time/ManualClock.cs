using System;

namespace OomTools.Engine.Time;

/// <summary>A clock that moves only when told to: simulated time, never the host's.</summary>
public sealed class ManualClock : IClock
{
    public ManualClock(long startNanoseconds = 0) => Nanoseconds = startNanoseconds;

    public long Nanoseconds { get; private set; }

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), by, "Time only moves forward.");
        Nanoseconds += by.Ticks * 100;
    }

    /// <summary>Moves the clock forward to <paramref name="nanoseconds"/> (never back).</summary>
    public void AdvanceTo(long nanoseconds)
    {
        if (nanoseconds > Nanoseconds) Nanoseconds = nanoseconds;
    }

    public ManualClock Clone() => new(Nanoseconds);
}
