namespace OomTools.Engine.Model;

/// <summary>
/// One counter for every machine in the process that moves whenever something <c>OomMachine.MemoryInUse</c> sums
/// may have changed: an mm's anon and shmem counters, the pages of shared objects it maps, its users, a task's mm or
/// threads, the task list, the machine's shared objects and their sizes. The machine's memory in use is stamped
/// with it and summed again only after it moved, unless the exit that moved it kept the sum in step
/// (Exit/TaskExit). Code that changes any of these without their setters must call <see cref="Bump"/>.
/// </summary>
internal static class UsageVersion
{
    /// <summary>The counter; stamps are read from it with <see cref="ChangeCounter.Observe"/> and <see cref="ChangeCounter.Current"/>.</summary>
    internal static ChangeCounter Counter = ChangeCounter.Start();

    /// <summary>Called by every setter of a field the sum reads.</summary>
    internal static void Bump() => Counter.Bump();
}
