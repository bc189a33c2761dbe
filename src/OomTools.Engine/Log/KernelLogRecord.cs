using OomTools.Engine.Kernels;

namespace OomTools.Engine.Log;

/// <summary>
/// One record as the ring keeps it: the stamp, the level, and either the finished text or the values of a
/// <c>dump_task()</c> row with its layout (formatted when read, <see cref="Format"/>).
/// </summary>
internal readonly struct KernelLogRecord
{
    internal KernelLogRecord(long timestampNs, KernelLogLevel level, string? text)
    {
        TimestampNs = timestampNs; Level = level; Text = text; Row = default; Layout = default; IsRow = false;
    }

    internal KernelLogRecord(long timestampNs, KernelLogLevel level, TaskTableFormat layout, in DumpTaskRow row)
    {
        TimestampNs = timestampNs; Level = level; Text = null; Row = row; Layout = layout; IsRow = true;
    }

    internal long TimestampNs { get; }
    internal KernelLogLevel Level { get; }
    /// <summary>The text of a plain record; null for a task row.</summary>
    internal string? Text { get; }
    internal DumpTaskRow Row { get; }
    internal TaskTableFormat Layout { get; }
    /// <summary>Whether this is a task row kept as values.</summary>
    internal bool IsRow { get; }

    /// <summary>The text, formatted now for a task row.</summary>
    internal string? Format() => IsRow ? Row.Format(Layout) : Text;
}
