using System.Collections.Generic;
using OomTools.Engine.Time;

namespace OomTools.Engine.Log;

/// <summary>The machine's kernel ring buffer: every message the simulated OOM killer printed, in order.</summary>
public sealed class KernelLog
{
    private readonly List<KernelLogEntry> entries = new();
    private readonly IClock clock;

    public KernelLog(IClock clock) => this.clock = clock;

    public IReadOnlyList<KernelLogEntry> Entries => entries;
    public int Count => entries.Count;

    public void Write(KernelLogLevel level, string text) =>
        entries.Add(new KernelLogEntry(clock.Nanoseconds, level, text));

    public void Info(string text) => Write(KernelLogLevel.Info, text);
    public void Warn(string text) => Write(KernelLogLevel.Warning, text);
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
