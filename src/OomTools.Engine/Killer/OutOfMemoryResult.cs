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

    internal OutOfMemoryResult() { }

    /// <summary>out_of_memory's return value: progress was made (memory freed, a victim chosen or on its way out).</summary>
    public bool Result { get; internal set; }

    /// <summary>Every process that received the OOM killer's SIGKILL, in order.</summary>
    public IReadOnlyList<OomTask> Killed => killed;

    /// <summary>Why the call stopped before killing, in a sentence fragment; null when it did not.</summary>
    public string? EarlyReturn { get; internal set; }

    internal void AddKilled(IEnumerable<OomTask> tasks)
    {
        foreach (var t in tasks)
            if (!killed.Contains(t)) killed.Add(t);
    }

    internal OutOfMemoryResult Return(bool result, string? why = null)
    {
        Result = result;
        if (why is not null) EarlyReturn = why;
        return this;
    }
}
