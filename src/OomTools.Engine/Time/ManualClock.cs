using System;

namespace OomTools.Engine.Time;

/// <summary>A clock that moves only when told to: simulated time, never the host's.</summary>
public sealed class ManualClock : IClock
{
    /// <summary>A clock reading <paramref name="startNanoseconds"/> since boot (0 by default).</summary>
    public ManualClock(long startNanoseconds = 0) => Nanoseconds = startNanoseconds;

    /// <inheritdoc/>
    public long Nanoseconds { get; private set; }

    /// <summary>Moves the clock forward by <paramref name="by"/> (100 ns ticks); a negative span throws <see cref="System.ArgumentOutOfRangeException"/>.</summary>
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

    /// <summary>An independent clock at the same time, for a copy of the machine.</summary>
    public ManualClock Clone() => new(Nanoseconds);
}
