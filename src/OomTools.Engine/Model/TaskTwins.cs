using System.Collections.Generic;

namespace OomTools.Engine.Model;

/// <summary>
/// How a copy of a machine (<see cref="OomMachine.Clone"/>) finds the twin of one of the original's tasks: the task
/// the copy's pid table holds under the same pid, when the original's holds this very task there. A task that is no
/// longer on the original's list (a victim that exited, still named by the reaper) has no twin. Looked up through
/// the pid tables rather than a dictionary of every task made for each copy: an audit copies a machine each time.
/// </summary>
internal readonly struct TaskTwins
{
    private readonly OomMachine original, copy;

    internal TaskTwins(OomMachine original, OomMachine copy)
    {
        this.original = original;
        this.copy = copy;
    }

    /// <summary>The copy of <paramref name="task"/>; false when it has none.</summary>
    internal bool TryGetValue(OomTask task, out OomTask twin)
    {
        if (ReferenceEquals(original.FindTask(task.Pid), task) && copy.FindTask(task.Pid) is { } found)
        {
            twin = found;
            return true;
        }
        twin = null!;
        return false;
    }

    /// <summary>The copy of <paramref name="task"/>, which must have one (a task on the original's list).</summary>
    internal OomTask this[OomTask task] =>
        TryGetValue(task, out var twin) ? twin : throw new KeyNotFoundException($"Process {task} has no copy on the machine's copy.");
}
