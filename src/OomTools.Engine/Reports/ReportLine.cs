namespace OomTools.Engine.Reports;

/// <summary>One line of a report as it was read, and its kernel message with every prefix taken off.</summary>
public sealed class ReportLine
{
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

    public override string ToString() => $"{Number}: {Raw}";
}
