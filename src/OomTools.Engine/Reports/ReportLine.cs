namespace OomTools.Engine.Reports;

/// <summary>One line of a report as it was read, and its kernel message with every prefix taken off.</summary>
public sealed class ReportLine
{
    /// <summary>Makes a line; the parser makes one per line it reads, once <c>LineNormalizer</c> has taken the prefixes off.</summary>
    /// <param name="number">1-based line number in the source.</param>
    /// <param name="raw">The line as read.</param>
    /// <param name="text">The kernel message without prefixes.</param>
    /// <param name="stamp">The time stamp the line carried, or null.</param>
    public ReportLine(int number, string raw, string text, string? stamp)
    {
        Number = number;
        Raw = raw;
        Text = text;
        this.stamp = stamp;
        stampStart = -1;
    }

    /// <summary>
    /// A line whose stamp stands in <paramref name="raw"/> at <paramref name="stampStart"/> (-1: none): the parser reads
    /// every line's stamp but a report only keeps its first, so the text is made when <see cref="Stamp"/> is read.
    /// </summary>
    internal ReportLine(int number, string raw, string text, int stampStart, int stampLength)
    {
        Number = number;
        Raw = raw;
        Text = text;
        this.stampStart = stampStart;
        this.stampLength = stampLength;
    }

    private string? stamp;
    private readonly int stampStart, stampLength;

    /// <summary>1-based line number in the source.</summary>
    public int Number { get; }
    /// <summary>The line as read (an rsyslog <c>#012</c> continuation repeats its line's number).</summary>
    public string Raw { get; }
    /// <summary>The kernel's message text: no syslog/journal prefix, quote marks, dmesg stamp or indentation.</summary>
    public string Text { get; }
    /// <summary>The time stamp the line carried (dmesg seconds, dmesg -T date, or the syslog date), if any.</summary>
    public string? Stamp => stamp ?? (stampStart < 0 ? null : stamp = Raw.Substring(stampStart, stampLength));

    // Two scans of the text that rule out most of the parser's phrase searches at once: every phrase about a kill
    // ("Killed process ", "Kill process ", "would have killed", " invoked oom-killer: ") holds "ill", and the
    // key=value ones (" cpuset=", "hugepages_total=") hold '='. Computed on first use.
    private byte hints;
    private const byte Known = 1, Ill = 2, EqualsSign = 4;

    /// <summary>Whether the text holds "ill": false rules out every phrase about a kill.</summary>
    internal bool MayNameKill => (Hints & Ill) != 0;

    /// <summary>Whether the text holds '=': false rules out every key=value phrase.</summary>
    internal bool MayHoldEquals => (Hints & EqualsSign) != 0;

    private byte Hints
    {
        get
        {
            if (hints == 0)
                hints = (byte)(Known | (Text.IndexOf("ill", System.StringComparison.Ordinal) >= 0 ? Ill : 0) | (Text.IndexOf('=') >= 0 ? EqualsSign : 0));
            return hints;
        }
    }

    /// <summary><c>Number: Raw</c>, the line as read with its line number.</summary>
    public override string ToString() => $"{Number}: {Raw}";
}
