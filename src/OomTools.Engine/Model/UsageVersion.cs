namespace OomTools.Engine.Model;

/// <summary>
/// The counters that move whenever something <c>OomMachine.MemoryInUse</c> sums may have changed: an mm's anon and
/// shmem counters, the pages of shared objects it maps, its users, a task's mm or threads, the task list, the
/// machine's shared objects and their sizes. The machine's memory in use is stamped with them
/// (<see cref="VersionStamp"/>) and summed again only after one moved, unless the exit that moved it kept the sum
/// in step (Exit/TaskExit). As with <see cref="ScoreVersion"/>, a change made with an <see cref="AmbientMachine"/>
/// moves that machine's counter, any other the process-wide one. Code that changes any of these without their
/// setters must call <see cref="Bump"/>.
/// </summary>
internal static class UsageVersion
{
    private static readonly VersionCounter Counter = new(OomMachine.UsageSlot);

    /// <summary>Called by every setter of a field the sum reads.</summary>
    internal static void Bump() => Counter.Bump();

    /// <summary>The counters of <paramref name="m"/> now, remembered as seen.</summary>
    internal static VersionStamp Observe(OomMachine m) => Counter.Observe(m);

    /// <summary>The counters of <paramref name="m"/> now, without marking them seen.</summary>
    internal static VersionStamp Current(OomMachine m) => Counter.Current(m);
}
