using System.Threading;

namespace OomTools.Engine.Model;

/// <summary>
/// A change counter (process-wide, or one machine's: see <see cref="ScoreVersion"/>) that a derived copy (the
/// killer's score table, the machine's memory in use) is stamped with: the copy is trusted while the counter has not moved. Only the first change after a stamp needs the
/// counter to move, so the atomic increment is taken only when the counter still reads what the last stamp saw: a
/// machine being built or mutated in a loop pays two reads a change, and parallel runspaces do not fight over the
/// counter's cache line. Kept in a field and called in place (it is a mutable struct).
/// </summary>
internal struct ChangeCounter
{
    private long current, observed;

    /// <summary>A counter at 1, so that 0 can mean "never stamped".</summary>
    internal static ChangeCounter Start() => new() { current = 1 };

    /// <summary>Called by every setter of a field the stamped copies read.</summary>
    internal void Bump()
    {
        // current first: observed never exceeds current, so reading it second can only make a bump more likely.
        if (Volatile.Read(ref current) == Volatile.Read(ref observed)) Interlocked.Increment(ref current);
    }

    /// <summary>The counter now, remembered as seen, so that the next change anywhere moves it.</summary>
    internal long Observe()
    {
        long v = Volatile.Read(ref current);
        long o;
        while ((o = Volatile.Read(ref observed)) < v && Interlocked.CompareExchange(ref observed, v, o) != o) { }
        return v;
    }

    /// <summary>The counter now, without marking it seen: what a stamped copy compares itself against.</summary>
    internal long Current => Volatile.Read(ref current);
}
