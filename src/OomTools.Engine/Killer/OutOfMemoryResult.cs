using System.Collections.Generic;
using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>
/// What one out_of_memory call did, besides what <see cref="OomControl"/> records: the kernel's return value,
/// every process that received the OOM killer's SIGKILL, and why the call returned early, if it did. Created per
/// call and passed down to the functions that kill, which add to it.
/// </summary>
public sealed class OutOfMemoryResult
{
    private readonly List<OomTask> killed = new();
    private readonly List<OomTask> named = new();
    private readonly List<OomTask> sharers = new();

    internal OutOfMemoryResult() { }

    /// <summary>out_of_memory's return value: progress was made (memory freed, a victim chosen or on its way out).</summary>
    public bool Result { get; internal set; }

    /// <summary>
    /// The processes the kernel names in a <c>Killed process</c> line, in order: each victim <c>__oom_kill_process</c>
    /// was given (the chosen one, every member of an oom.group).
    /// </summary>
    public IReadOnlyList<OomTask> Killed => named;

    /// <summary>
    /// Processes that share a victim's mm (vfork children, CLONE_VM sharers) and got its SIGKILL with no line of their
    /// own (<c>__oom_kill_process</c>'s loop over <c>process_shares_mm</c>), in order.
    /// </summary>
    public IReadOnlyList<OomTask> MmSharersKilled => sharers;

    /// <summary>Every process that received the OOM killer's SIGKILL, in order: <see cref="Killed"/> and <see cref="MmSharersKilled"/>.</summary>
    public IReadOnlyList<OomTask> AllKilled => killed;

    /// <summary>Why the call stopped before killing, in a sentence fragment; null when it did not.</summary>
    public string? EarlyReturn { get; internal set; }

    /// <summary>What one <c>__oom_kill_process</c> killed: its victim first, then the processes sharing its mm.</summary>
    internal void AddKilled(IEnumerable<OomTask> tasks)
    {
        bool first = true;
        foreach (var t in tasks)
        {
            if (!killed.Contains(t))
            {
                killed.Add(t);
                (first ? named : sharers).Add(t);
            }
            first = false;
        }
    }

    internal OutOfMemoryResult Return(bool result, string? why = null)
    {
        Result = result;
        if (why is not null) EarlyReturn = why;
        return this;
    }
}
