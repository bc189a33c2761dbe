using System.Globalization;

namespace OomTools.Engine.Reports;

/// <summary>
/// One record of <c>/dev/kmsg</c> (what devkmsg_read hands out: <c>pri,seq,usec,flags[,...];message</c>, then
/// indented <c>KEY=value</c> dictionary lines) turned into the dmesg form <c>[secs.usec] message</c> that the
/// report parser reads.
/// </summary>
public static class KmsgRecord
{
    /// <summary>
    /// The dmesg line of <paramref name="record"/>, or null for a dictionary line or text that is no record.
    /// Only the record's first line is its message; the kernel escapes control characters in it as <c>\xNN</c>.
    /// </summary>
    public static string? ToDmesgLine(string? record)
    {
        if (string.IsNullOrEmpty(record) || record![0] == ' ') return null;
        int nl = record.IndexOf('\n');
        var first = nl < 0 ? record : record.Substring(0, nl);
        int semi = first.IndexOf(';');
        if (semi < 0) return null;
        var fields = first.Substring(0, semi).Split(',');
        if (fields.Length < 3 || !ulong.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var usec)) return null;
        var message = first.Substring(semi + 1).Replace("\\x5c", "\\");
        return string.Format(CultureInfo.InvariantCulture, "[{0,5}.{1:D6}] {2}", usec / 1000000, usec % 1000000, message);
    }
}
