using System.Globalization;

namespace OomTools.Engine.Log;

/// <summary>One printk record: when, at which level, and its text without the trailing newline.</summary>
public sealed class KernelLogEntry
{
    public KernelLogEntry(long timestampNs, KernelLogLevel level, string text)
    {
        TimestampNs = timestampNs;
        Level = level;
        Text = text;
    }

    public long TimestampNs { get; }
    public KernelLogLevel Level { get; }
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

    public override string ToString() => Timestamp + " " + Text;
}
