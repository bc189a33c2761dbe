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
    // Made on the first kill: most calls of a kill order kill one process and share its mm with none.
    private List<OomTask>? killed, named, sharers;
    private static readonly IReadOnlyList<OomTask> None = System.Array.Empty<OomTask>();

    internal OutOfMemoryResult() { }

    /// <summary>out_of_memory's return value: progress was made (memory freed, a victim chosen or on its way out).</summary>
    public bool Result { get; internal set; }

    /// <summary>
    /// The processes the kernel names in a <c>Killed process</c> line, in order: each victim <c>__oom_kill_process</c>
    /// was given (the chosen one, every member of an oom.group).
    /// </summary>
    public IReadOnlyList<OomTask> Killed => named ?? None;

    /// <summary>
    /// Processes that share a victim's mm (vfork children, CLONE_VM sharers) and got its SIGKILL with no line of their
    /// own (<c>__oom_kill_process</c>'s loop over <c>process_shares_mm</c>), in order.
    /// </summary>
    public IReadOnlyList<OomTask> MmSharersKilled => sharers ?? None;

    /// <summary>Every process that received the OOM killer's SIGKILL, in order: <see cref="Killed"/> and <see cref="MmSharersKilled"/>.</summary>
    public IReadOnlyList<OomTask> AllKilled => killed ?? None;

    /// <summary>Why the call stopped before killing, in a sentence fragment; null when it did not.</summary>
    public string? EarlyReturn { get; internal set; }

    /// <summary>What one <c>__oom_kill_process</c> killed: its victim first, then the processes sharing its mm.</summary>
    internal void AddKilled(IReadOnlyList<OomTask> tasks)
    {
        for (int i = 0; i < tasks.Count; i++)
        {
            var t = tasks[i];
            killed ??= new List<OomTask>(tasks.Count);
            if (killed.Contains(t)) continue;
            killed.Add(t);
            if (i == 0) (named ??= new List<OomTask>(1)).Add(t);
            else (sharers ??= new List<OomTask>(tasks.Count - 1)).Add(t);
        }
    }

    internal OutOfMemoryResult Return(bool result, string? why = null)
    {
        Result = result;
        if (why is not null) EarlyReturn = why;
        return this;
    }
}
