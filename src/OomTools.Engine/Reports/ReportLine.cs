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
        Stamp = stamp;
    }

    /// <summary>1-based line number in the source.</summary>
    public int Number { get; }
    /// <summary>The line as read (an rsyslog <c>#012</c> continuation repeats its line's number).</summary>
    public string Raw { get; }
    /// <summary>The kernel's message text: no syslog/journal prefix, quote marks, dmesg stamp or indentation.</summary>
    public string Text { get; }
    /// <summary>The time stamp the line carried (dmesg seconds, dmesg -T date, or the syslog date), if any.</summary>
    public string? Stamp { get; }

    /// <summary><c>Number: Raw</c>, the line as read with its line number.</summary>
    public override string ToString() => $"{Number}: {Raw}";
}
