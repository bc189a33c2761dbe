namespace OomTools.Engine.Model;

/// <summary>
/// One kind of change counter (<see cref="ScoreVersion"/>, <see cref="UsageVersion"/>): a process-wide
/// <see cref="ChangeCounter"/> and one per machine (<see cref="OomMachine.Counter"/>). A change made with an
/// <see cref="AmbientMachine"/> moves that machine's counter, any other the process-wide one; a stamp
/// (<see cref="VersionStamp"/>) reads both.
/// </summary>
internal sealed class VersionCounter
{
    private ChangeCounter global = ChangeCounter.Start();
    private readonly int slot;

    /// <summary>The counter kept in each machine's slot <paramref name="slot"/>.</summary>
    internal VersionCounter(int slot) => this.slot = slot;

    /// <summary>Called by every setter of a field the stamped copies read (see <see cref="ChangeCounter.Bump"/>).</summary>
    internal void Bump()
    {
        if (AmbientMachine.Current is { } m) m.Counter(slot).Bump();
        else global.Bump();
    }

    /// <summary>The counters of <paramref name="m"/> now, remembered as seen, so that the next change moves them.</summary>
    internal VersionStamp Observe(OomMachine m) => new(global.Observe(), m.Counter(slot).Observe());

    /// <summary>The counters of <paramref name="m"/> now, without marking them seen: what a stamped copy compares itself against.</summary>
    internal VersionStamp Current(OomMachine m) => new(global.Current, m.Counter(slot).Current);
}
