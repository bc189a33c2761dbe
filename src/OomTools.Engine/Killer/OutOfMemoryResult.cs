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
    // The first __oom_kill_process's list is taken over as it is (most calls kill once: a kill order makes hundreds);
    // while it is the only one, named and sharers are read off it when asked. A second kill (an oom.group) splits it.
    private List<OomTask>? killed, named, sharers;
    private static readonly IReadOnlyList<OomTask> None = System.Array.Empty<OomTask>();
    private bool oneBatch;

    internal OutOfMemoryResult() { }

    /// <summary>out_of_memory's return value: progress was made (memory freed, a victim chosen or on its way out).</summary>
    public bool Result { get; internal set; }

    /// <summary>
    /// The processes the kernel names in a <c>Killed process</c> line, in order: each victim <c>__oom_kill_process</c>
    /// was given (the chosen one, every member of an oom.group).
    /// </summary>
    public IReadOnlyList<OomTask> Killed => oneBatch ? (killed!.Count == 0 ? None : killed.GetRange(0, 1)) : named ?? None;

    /// <summary>
    /// Processes that share a victim's mm (vfork children, CLONE_VM sharers) and got its SIGKILL with no line of their
    /// own (<c>__oom_kill_process</c>'s loop over <c>process_shares_mm</c>), in order.
    /// </summary>
    public IReadOnlyList<OomTask> MmSharersKilled => oneBatch ? (killed!.Count <= 1 ? None : killed.GetRange(1, killed.Count - 1)) : sharers ?? None;

    /// <summary>Every process that received the OOM killer's SIGKILL, in order: <see cref="Killed"/> and <see cref="MmSharersKilled"/>.</summary>
    public IReadOnlyList<OomTask> AllKilled => killed ?? None;

    /// <summary>Why the call stopped before killing, in a sentence fragment; null when it did not.</summary>
    public string? EarlyReturn { get; internal set; }

    /// <summary>
    /// What the call's first <c>__oom_kill_process</c> killed, in a new list of distinct processes that the killer
    /// gives up: kept as it is, not copied (a kill order makes hundreds of calls that kill once).
    /// </summary>
    internal void TakeFirstKill(List<OomTask> tasks)
    {
        if (killed is not null)
        {
            AddKilled(tasks);
            return;
        }
        killed = tasks;
        oneBatch = true;
    }

    /// <summary>What one <c>__oom_kill_process</c> killed: its victim first, then the processes sharing its mm.</summary>
    internal void AddKilled(IReadOnlyList<OomTask> tasks)
    {
        if (oneBatch) Split();
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

    // The one batch taken over becomes the general form: its first task named, the rest its sharers.
    private void Split()
    {
        oneBatch = false;
        named = killed!.GetRange(0, System.Math.Min(1, killed.Count));
        sharers = killed.GetRange(named.Count, killed.Count - named.Count);
    }

    internal OutOfMemoryResult Return(bool result, string? why = null)
    {
        Result = result;
        if (why is not null) EarlyReturn = why;
        return this;
    }
}
