namespace OomTools.Engine.Log;

/// <summary>
/// One record as the ring keeps it: the stamp, the level, and either the finished text or a
/// <see cref="KernelLogFormat"/> with the values it prints (formatted when read, <see cref="Format"/>). A struct of
/// fixed size (about 100 bytes): the ring holds up to 32,768 of them and writing one allocates nothing.
/// </summary>
internal readonly struct KernelLogRecord
{
    internal KernelLogRecord(long timestampNs, KernelLogLevel level, string text)
    {
        TimestampNs = timestampNs; Level = level; body = text; Args = default;
    }

    internal KernelLogRecord(long timestampNs, KernelLogLevel level, KernelLogFormat format, in KernelLogArgs args)
    {
        TimestampNs = timestampNs; Level = level; body = format; Args = args;
    }

    // The text of a plain record, or the format of one kept as values.
    private readonly object body;

    internal long TimestampNs { get; }
    internal KernelLogLevel Level { get; }
    /// <summary>The values a formatted record prints; empty for a plain one.</summary>
    internal readonly KernelLogArgs Args;

    /// <summary>The text of a plain record; null for one kept as values until it is read.</summary>
    internal string? Text => body as string;

    /// <summary>The text, formatted now for a record kept as values.</summary>
    internal string Format() => body as string ?? ((KernelLogFormat)body).Format(Args);
}
