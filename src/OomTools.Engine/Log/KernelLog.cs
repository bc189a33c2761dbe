using System;
using System.Collections.Generic;
using OomTools.Engine.Time;

namespace OomTools.Engine.Log;

/// <summary>
/// The machine's kernel ring buffer (the printk buffer, <c>log_buf</c>): the messages the simulated kernel printed,
/// in order, at most <see cref="Capacity"/> of them. When it is full the oldest record is overwritten, as the
/// kernel's ring overwrites its oldest text; <see cref="Count"/> still counts every record written (the kernel's
/// sequence numbers), and <see cref="Dropped"/> says how many are gone. The OOM killer's lines are kept as data (their
/// printk format and values, written through the typed writers of the other <c>KernelLog.*.cs</c> files) and turned
/// into text when read.
/// </summary>
public sealed partial class KernelLog
{
    /// <summary>
    /// The default <see cref="Capacity"/>: 32,768 records, the number of record descriptors the kernel's printk ring
    /// has at <c>log_buf_len=1M</c> (<c>CONFIG_LOG_BUF_SHIFT=20</c>; one descriptor per 32 bytes of text). An OOM's
    /// task table of more processes than that keeps only its last rows, as on a real machine.
    /// </summary>
    public const int DefaultCapacity = 32_768;

    // A ring of at most this many records is made whole when its capacity is set: a what-if's or an audit's small log
    // fills within an OOM or two, and growing it 16, 32, 64 allocated it almost twice.
    private const int WholeRing = 128;

    private KernelLogRecord[] ring = Array.Empty<KernelLogRecord>();
    private int head;      // index of the oldest record kept
    private int kept;      // records kept
    private int written;   // records ever written (the next record's sequence number)
    private int capacity = DefaultCapacity;
    private readonly IClock clock;

    /// <summary>An empty log whose records are stamped with <paramref name="clock"/>'s time since boot.</summary>
    public KernelLog(IClock clock) => this.clock = clock;

    /// <summary>
    /// The records kept, oldest first (what <c>dmesg</c> reads back): the last <see cref="Capacity"/> written.
    /// A live view: it changes as the log is written.
    /// </summary>
    public IReadOnlyList<KernelLogEntry> Entries => new View(this);

    /// <summary>How many records have been written, kept or not; pass it to <see cref="Since"/> later to get what followed.</summary>
    public int Count => written;

    /// <summary>How many of the records written have been overwritten (the kernel's dmesg reports them as dropped).</summary>
    public int Dropped => written - kept;

    /// <summary>
    /// The most records the ring keeps (the log buffer's size, <c>log_buf_len</c>, counted in records), at least 1;
    /// <see cref="DefaultCapacity"/> unless set. Making it smaller drops the oldest records at once.
    /// </summary>
    public int Capacity
    {
        get => capacity;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "The log keeps at least one record.");
            // The newest records that fit, copied straight from the old ring.
            int keep = Math.Min(kept, value);
            var resized = new KernelLogRecord[value <= WholeRing ? value : Math.Min(value, Math.Max(keep, 16))];
            for (int i = 0; i < keep; i++) resized[i] = At(kept - keep + i);
            capacity = value;
            ring = resized;
            head = 0;
            kept = keep;
        }
    }

    /// <summary><c>printk</c> at <paramref name="level"/>: appends one record, stamped with the clock's current time.</summary>
    public void Write(KernelLogLevel level, string text) =>
        Append(new KernelLogRecord(clock.Nanoseconds, level, text));

    /// <summary>
    /// <c>printk</c> at <paramref name="level"/> of a line kept as <paramref name="format"/> and its values: no text is
    /// made until the record is read. The typed writers (<see cref="KilledProcess"/> and the others) call this.
    /// </summary>
    internal void Write(KernelLogLevel level, KernelLogFormat format, in KernelLogArgs args) =>
        Append(new KernelLogRecord(clock.Nanoseconds, level, format, args));

    /// <summary>
    /// Counts <paramref name="records"/> records as written without keeping them, for a writer about to write at least
    /// <see cref="Capacity"/> more right after (dump_tasks over more tasks than the ring holds): those would overwrite
    /// them, and everything before, so the ring ends as if they had been written — the same records kept, the same
    /// <see cref="Count"/> and <see cref="Dropped"/> — without the rows that no one could have read being made.
    /// </summary>
    internal void WriteOverwritten(int records)
    {
        if (records <= 0) return;
        written += records;
        // The records kept now are overwritten by the ones to come: the ring starts over.
        head = 0;
        kept = 0;
    }

    /// <summary><c>pr_info()</c>: a record at <see cref="KernelLogLevel.Info"/>.</summary>
    public void Info(string text) => Write(KernelLogLevel.Info, text);
    /// <summary><c>pr_warn()</c>: a record at <see cref="KernelLogLevel.Warning"/>.</summary>
    public void Warn(string text) => Write(KernelLogLevel.Warning, text);
    /// <summary><c>pr_err()</c>: a record at <see cref="KernelLogLevel.Err"/>.</summary>
    public void Err(string text) => Write(KernelLogLevel.Err, text);

    /// <summary>
    /// The records written since <paramref name="start"/> (an earlier <see cref="Count"/>) that the ring still keeps,
    /// oldest first: a copy, not changed by later writes.
    /// </summary>
    public IReadOnlyList<KernelLogEntry> Since(int start)
    {
        if (start < 0 || start > written) throw new ArgumentOutOfRangeException(nameof(start), start, "Not a count this log has had.");
        // Straight from the ring: no intermediate copy of the records (a what-if's task table is 32,768 of them).
        int skip = Math.Max(start, written - kept) - (written - kept);
        var list = new List<KernelLogEntry>(kept - skip);
        for (int i = skip; i < kept; i++) list.Add(new KernelLogEntry(At(i)));
        return list;
    }

    /// <summary>The newest record kept; null when the log is empty.</summary>
    public KernelLogEntry? Last => kept == 0 ? null : new KernelLogEntry(At(kept - 1));

    private void Append(in KernelLogRecord record)
    {
        if (kept < capacity)
        {
            if (kept == ring.Length) Grow();
            ring[(head + kept) % ring.Length] = record;
            kept++;
        }
        else
        {
            ring[head] = record;
            head = (head + 1) % ring.Length;
        }
        written++;
    }

    // Grows like a list up to the capacity, so a small machine's log stays small.
    private void Grow()
    {
        var bigger = new KernelLogRecord[Math.Min(capacity, Math.Max(16, ring.Length * 2))];
        for (int i = 0; i < kept; i++) bigger[i] = ring[(head + i) % ring.Length];
        ring = bigger;
        head = 0;
    }

    private ref readonly KernelLogRecord At(int index) => ref ring[(head + index) % ring.Length];

    // The records from sequence number seq (kept) to the newest.
    private KernelLogRecord[] Snapshot(int seq)
    {
        int skip = seq - (written - kept);
        var copy = new KernelLogRecord[kept - skip];
        for (int i = 0; i < copy.Length; i++) copy[i] = At(skip + i);
        return copy;
    }

    /// <summary>
    /// Whether this log stamps its records with <paramref name="other"/>'s time (a log kept for reuse must).
    /// </summary>
    internal bool Uses(IClock other) => ReferenceEquals(clock, other);

    /// <summary>
    /// Empties the log for reuse as a new one of <paramref name="newCapacity"/> records, keeping its ring's array (a
    /// what-if's own log, made again for every what-if, grew it to the capacity each time).
    /// </summary>
    internal void Reset(int newCapacity)
    {
        if (newCapacity < 1) throw new ArgumentOutOfRangeException(nameof(newCapacity), newCapacity, "The log keeps at least one record.");
        Array.Clear(ring, 0, ring.Length);
        if (ring.Length > newCapacity) ring = Array.Empty<KernelLogRecord>();
        capacity = newCapacity;
        head = 0;
        kept = 0;
        written = 0;
    }

    internal KernelLog CloneWith(IClock newClock)
    {
        var copy = new KernelLog(newClock) { capacity = capacity, written = written, kept = kept, head = 0 };
        copy.ring = Snapshot(written - kept);
        return copy;
    }

    private sealed class View : IReadOnlyList<KernelLogEntry>
    {
        private readonly KernelLog log;
        public View(KernelLog log) => this.log = log;
        public int Count => log.kept;
        public KernelLogEntry this[int index] =>
            (uint)index < (uint)log.kept ? new KernelLogEntry(log.At(index)) : throw new ArgumentOutOfRangeException(nameof(index));
        public IEnumerator<KernelLogEntry> GetEnumerator()
        {
            for (int i = 0; i < log.kept; i++) yield return new KernelLogEntry(log.At(i));
        }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
