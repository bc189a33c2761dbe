using System.Globalization;

namespace OomTools.Engine.Log;

/// <summary>
/// One printk record: when, at which level, and its text without the trailing newline (a line the log keeps as its
/// format and values, such as a task-table row or a <c>Killed process</c> line, is formatted the first time it is read).
/// </summary>
public sealed class KernelLogEntry
{
    private readonly KernelLogRecord record;
    private string? text;

    /// <summary>A record written at <paramref name="timestampNs"/> nanoseconds since boot.</summary>
    public KernelLogEntry(long timestampNs, KernelLogLevel level, string text)
    {
        TimestampNs = timestampNs;
        Level = level;
        this.text = text;
    }

    internal KernelLogEntry(in KernelLogRecord record)
    {
        this.record = record;
        TimestampNs = record.TimestampNs;
        Level = record.Level;
        text = record.Text;
    }

    /// <summary>When it was written, in nanoseconds since boot (the machine's clock, not the host's).</summary>
    public long TimestampNs { get; }
    /// <summary>The printk level it was written at (<c>KERN_ERR</c>, <c>KERN_INFO</c>, …).</summary>
    public KernelLogLevel Level { get; }
    /// <summary>The message, without the trailing newline.</summary>
    public string Text => text ??= record.Format();

    /// <summary>dmesg's stamp: <c>[%5lu.%06lu]</c> seconds and microseconds since boot.</summary>
    public string Timestamp
    {
        get
        {
            long micros = TimestampNs / 1000;
            return string.Format(CultureInfo.InvariantCulture, "[{0,5}.{1:D6}]", micros / 1_000_000, micros % 1_000_000);
        }
    }

    /// <summary>The record as <c>dmesg</c> shows it: <see cref="Timestamp"/>, a space, then <see cref="Text"/>.</summary>
    public override string ToString() => Timestamp + " " + Text;
}
