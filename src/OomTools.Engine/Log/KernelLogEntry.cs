using System.Globalization;

namespace OomTools.Engine.Log;

/// <summary>One printk record: when, at which level, and its text without the trailing newline.</summary>
public sealed class KernelLogEntry
{
    /// <summary>A record written at <paramref name="timestampNs"/> nanoseconds since boot.</summary>
    public KernelLogEntry(long timestampNs, KernelLogLevel level, string text)
    {
        TimestampNs = timestampNs;
        Level = level;
        Text = text;
    }

    /// <summary>When it was written, in nanoseconds since boot (the machine's clock, not the host's).</summary>
    public long TimestampNs { get; }
    /// <summary>The printk level it was written at (<c>KERN_ERR</c>, <c>KERN_INFO</c>, …).</summary>
    public KernelLogLevel Level { get; }
    /// <summary>The message, without the trailing newline.</summary>
    public string Text { get; }

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
