using System;

namespace OomTools.Engine.Model;

/// <summary>
/// The machine an engine operation on this thread is changing, when it changes that machine alone and runs no
/// user code: an audit's kill order on its copy, a what-if OOM and its undo, an exit, a clone being built. While
/// one is set, <see cref="ScoreVersion.Bump"/> and <see cref="UsageVersion.Bump"/> move that machine's own
/// counters instead of the process-wide ones, so the score tables and kept sums of other machines (audited on
/// other threads) stay trusted. The rule that makes this sound: while the ambient machine is M, nothing of another
/// machine is changed; code that cannot promise it (a user's script, a notifier, an OOM handed another machine's
/// task) runs with none (<see cref="Suspend"/>), and its changes move the process-wide counters, which every
/// stamp also checks.
/// </summary>
internal static class AmbientMachine
{
    [ThreadStatic] private static OomMachine? current;

    /// <summary>The machine set on this thread, or null.</summary>
    internal static OomMachine? Current => current;

    /// <summary>Sets <paramref name="machine"/> until the returned scope is disposed (which puts back the one before).</summary>
    internal static Scope Enter(OomMachine machine) => Set(machine);

    /// <summary>No machine until the returned scope is disposed: around a call into user code.</summary>
    internal static Scope Suspend() => Set(null);

    private static Scope Set(OomMachine? machine)
    {
        var previous = current;
        current = machine;
        return new Scope(previous);
    }

    /// <summary>Puts back the machine that was set before, when disposed.</summary>
    internal readonly struct Scope : IDisposable
    {
        private readonly OomMachine? previous;

        internal Scope(OomMachine? previous) => this.previous = previous;

        /// <summary>Puts back the machine that was set before.</summary>
        public void Dispose() => current = previous;
    }
}
