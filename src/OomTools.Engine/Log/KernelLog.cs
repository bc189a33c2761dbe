using System.Collections.Generic;
using OomTools.Engine.Time;

namespace OomTools.Engine.Log;

/// <summary>The machine's kernel ring buffer: every message the simulated OOM killer printed, in order.</summary>
public sealed class KernelLog
{
    private readonly List<KernelLogEntry> entries = new();
    private readonly IClock clock;

    /// <summary>An empty log whose records are stamped with <paramref name="clock"/>'s time since boot.</summary>
    public KernelLog(IClock clock) => this.clock = clock;

    /// <summary>Every record, oldest first (what <c>dmesg</c> reads back).</summary>
    public IReadOnlyList<KernelLogEntry> Entries => entries;
    /// <summary>How many records have been written; pass it to <see cref="Since"/> later to get what followed.</summary>
    public int Count => entries.Count;

    /// <summary><c>printk</c> at <paramref name="level"/>: appends one record, stamped with the clock's current time.</summary>
    public void Write(KernelLogLevel level, string text) =>
        entries.Add(new KernelLogEntry(clock.Nanoseconds, level, text));

    /// <summary><c>pr_info()</c>: a record at <see cref="KernelLogLevel.Info"/>.</summary>
    public void Info(string text) => Write(KernelLogLevel.Info, text);
    /// <summary><c>pr_warn()</c>: a record at <see cref="KernelLogLevel.Warning"/>.</summary>
    public void Warn(string text) => Write(KernelLogLevel.Warning, text);
    /// <summary><c>pr_err()</c>: a record at <see cref="KernelLogLevel.Err"/>.</summary>
    public void Err(string text) => Write(KernelLogLevel.Err, text);

    /// <summary>The records written since <paramref name="start"/> (an earlier <see cref="Count"/>).</summary>
    public IReadOnlyList<KernelLogEntry> Since(int start) =>
        entries.GetRange(start, entries.Count - start);

    internal KernelLog CloneWith(IClock newClock)
    {
        var copy = new KernelLog(newClock);
        copy.entries.AddRange(entries);
        return copy;
    }
}
