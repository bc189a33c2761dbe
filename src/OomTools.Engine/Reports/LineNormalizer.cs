using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace OomTools.Engine.Reports;

/// <summary>
/// Takes the kernel message out of a log line, whatever carried it: mail quoting (<c>&gt; </c>), syslog and
/// journal prefixes (<c>May 17 17:00:28 host kernel: </c>, ISO dates), dmesg stamps (<c>[  123.456789]</c>),
/// <c>dmesg -T</c> dates in any language, <c>&lt;4&gt;</c> levels, <c>dmesg -x</c> facility columns and indentation.
/// Lines that syslog or the journal attribute to another program are not kernel lines.
/// </summary>
/// <remarks>
/// Every line of a log comes through here, so the common carriers (a syslog or ISO prefix, a dmesg stamp, a
/// level, a journal's <c>host kernel:</c>) are read by hand, by index, without a substring until the end: each
/// reader below takes exactly what its pattern in the comment above it takes (\s is char.IsWhiteSpace, \d
/// char.IsDigit, as in .NET patterns). Each pattern is anchored and its runs are bounded and end where the next
/// element's character class begins, so it has one way to match and a reader needs no backtracking. The rare
/// carriers (a dmesg -T date, a dmesg -x facility column) keep their regex.
/// </remarks>
internal static class LineNormalizer
{
    private const RegexOptions Opts = RegexOptions.Compiled | RegexOptions.CultureInvariant;

    // Every pattern is anchored and every quantifier bounded (a month name, a host name, a dmesg -T date are
    // short), so a crafted line of any length costs a few passes over its first characters, never its length
    // squared: "[" followed by a megabyte of "Mon Dec  4 12:00:00 2024 " made the unbounded date pattern retry
    // its tail at every time it found.
    // dmesg -T: "[Di Aug 12 03:54:03 2025]" in any locale.
    private static readonly Regex DmesgDate = new(@"^\[(?<stamp>[^\]\[]{0,64}?\d{1,2}:\d\d:\d\d[^\]\[]{0,64})\]\s?", Opts);
    private static readonly Regex Facility = new(@"^kern\s{0,16}:\s{0,16}\w{1,16}\s{0,16}:\s?", Opts);

    /// <summary>Splits rsyslog's escaped control characters back into lines (#012 newline, #011 tab).</summary>
    public static IEnumerable<string> SplitEscapes(string raw)
    {
        if (!HasEscapes(raw)) { yield return raw; yield break; }
        foreach (var part in raw.Replace("#011", "\t").Split(new[] { "#012" }, System.StringSplitOptions.None))
            yield return part;
    }

    /// <summary>Whether <see cref="SplitEscapes"/> would change the line.</summary>
    public static bool HasEscapes(string raw) => raw.IndexOf("#01", System.StringComparison.Ordinal) >= 0;

    /// <summary>The kernel text of <paramref name="raw"/>, or null when the line is another program's.</summary>
    public static string? Normalize(string raw, out string? stamp)
    {
        if (!Locate(raw, out int start, out int length, out int stampStart, out int stampLength, out var carried))
        {
            stamp = null;
            return null;
        }
        stamp = carried ?? (stampStart < 0 ? null : raw.Substring(stampStart, stampLength));
        return raw.Substring(start, length);
    }

    /// <summary>
    /// Where the kernel text of <paramref name="raw"/> stands (<paramref name="start"/>, <paramref name="length"/>)
    /// and its stamp (<paramref name="stampStart"/> -1 when none); false when the line is another program's. A rare
    /// carrier read by regex gives its stamp as <paramref name="stampText"/> instead.
    /// </summary>
    public static bool Locate(string raw, out int start, out int length, out int stampStart, out int stampLength, out string? stampText)
    {
        stampStart = -1;
        stampLength = 0;
        stampText = null;
        int end = raw.Length;
        int p = 0, progStart = 0, progLength = 0;
        while (p < end && (raw[p] == '>' || char.IsWhiteSpace(raw[p]))) p++;

        // A level may stand before a syslog prefix too: "<4>Dec 20 03:17:52 host kernel: ..." is a raw syslog
        // record of the kern facility (PRI 0-7), as a network capture or "nc -lu 514" shows it.
        p = StripLevel(raw, p);
        // Every pattern is anchored, so the first character says which can match: a syslog stamp never starts
        // with '[' (a dmesg stamp or a dmesg -T date does). Journals are mostly other lines: this is the hot path.
        if (p < end && raw[p] != '[')
        {
            // The syslog pattern first, then the ISO one: each is its stamp and the same tail.
            int stampEnd = SyslogStampEnd(raw, p);
            int after = stampEnd < 0 ? -1 : SyslogTail(raw, stampEnd, out progStart, out progLength);
            if (after < 0)
            {
                stampEnd = IsoStampEnd(raw, p);
                after = stampEnd < 0 ? -1 : SyslogTail(raw, stampEnd, out progStart, out progLength);
            }
            if (after >= 0)
            {
                if (progLength != 6 || string.CompareOrdinal(raw, progStart, "kernel", 0, 6) != 0)
                {
                    start = length = 0;
                    return false;
                }
                stampStart = p;
                stampLength = stampEnd - p;
                p = after;
            }
        }
        // Each carrier may leave blanks before the next one ("<4> [  385.5] ...", "kernel:   [  385.5] ..."): a
        // stamp after them is still a stamp, or a task table row behind it would read as "[  385.5] [ 1234] ...".
        p = StripLevel(raw, SkipBlanks(raw, p));
        if (end - p >= 4 && string.CompareOrdinal(raw, p, "kern", 0, 4) == 0)
        {
            var m = Facility.Match(raw.Substring(p));
            if (m.Success) p = SkipBlanks(raw, p + m.Length);
        }
        if (p < end && raw[p] == '[')
        {
            int after = DmesgStampEnd(raw, p, out int sStart, out int sLength);
            if (after >= 0)
            {
                stampStart = sStart;
                stampLength = sLength;
            }
            else if (DmesgDate.Match(raw.Substring(p)) is { Success: true } m)
            {
                stampText = m.Groups["stamp"].Value;
                stampStart = -1;
                after = p + m.Length;
            }
            if (after >= 0)
            {
                p = after;
                int hk = HostKernelEnd(raw, p);
                if (hk >= 0) p = hk;
            }
        }
        // Trim both ends.
        while (p < end && char.IsWhiteSpace(raw[p])) p++;
        while (end > p && char.IsWhiteSpace(raw[end - 1])) end--;
        start = p;
        length = end - p;
        return true;
    }

    private static int SkipBlanks(string s, int p)
    {
        while (p < s.Length && char.IsWhiteSpace(s[p])) p++;
        return p;
    }

    /// <summary>Past a level <c>^&lt;\d&gt;</c> and the blanks after it; <paramref name="p"/> when there is none.</summary>
    private static int StripLevel(string s, int p) =>
        p + 2 < s.Length && s[p] == '<' && char.IsDigit(s[p + 1]) && s[p + 2] == '>' ? SkipBlanks(s, p + 3) : p;

    /// <summary>The end of a run of characters from <paramref name="p"/> that are (or are not) blanks.</summary>
    private static int Run(string s, int p, bool blank)
    {
        while (p < s.Length && char.IsWhiteSpace(s[p]) == blank) p++;
        return p;
    }

    private static int Digits(string s, int p)
    {
        while (p < s.Length && char.IsDigit(s[p])) p++;
        return p;
    }

    private static bool IsDigitAt(string s, int i) => i < s.Length && char.IsDigit(s[i]);

    /// <summary><c>\d\d:\d\d:\d\d</c> at <paramref name="p"/>.</summary>
    private static bool IsTime(string s, int p) =>
        p + 8 <= s.Length && IsDigitAt(s, p) && IsDigitAt(s, p + 1) && s[p + 2] == ':' && IsDigitAt(s, p + 3) && IsDigitAt(s, p + 4)
        && s[p + 5] == ':' && IsDigitAt(s, p + 6) && IsDigitAt(s, p + 7);

    // "May 17 17:00:28": ^\S{1,32}\s{1,8}\d{1,2}\s{1,8}\d\d:\d\d:\d\d (the month in any language; "Dec  3" has two
    // spaces). Returns the stamp's end, or -1.
    private static int SyslogStampEnd(string s, int p)
    {
        int month = Run(s, p, blank: false);
        if (month == p || month - p > 32) return -1;
        int blank = Run(s, month, blank: true);
        if (blank == month || blank - month > 8) return -1;
        int day = Digits(s, blank);
        if (day == blank || day - blank > 2) return -1;
        int blank2 = Run(s, day, blank: true);
        if (blank2 == day || blank2 - day > 8) return -1;
        return IsTime(s, blank2) ? blank2 + 8 : -1;
    }

    // "2024-05-17T19:54:29.123456+02:00": ^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S{0,32}. Returns the stamp's end, or -1.
    private static int IsoStampEnd(string s, int p)
    {
        if (p + 19 > s.Length) return -1;
        for (int i = 0; i < 10; i++)
        {
            bool dash = i == 4 || i == 7;
            if (dash ? s[p + i] != '-' : !char.IsDigit(s[p + i])) return -1;
        }
        if (s[p + 10] != 'T' && s[p + 10] != ' ') return -1;
        if (!IsTime(s, p + 11)) return -1;
        int rest = Run(s, p + 19, blank: false);
        return rest - (p + 19) > 32 ? -1 : rest;
    }

    // After the stamp: \s{1,8}\S{1,255}\s{1,8}(?<prog>[^\s:\[]{1,255})(?:\[\d{1,10}\])?:\s? ("host kernel: ",
    // "host sshd[812]: "). Returns the end of the prefix, or -1.
    private static int SyslogTail(string s, int p, out int progStart, out int progLength)
    {
        progStart = progLength = 0;
        int host = Run(s, p, blank: true);
        if (host == p || host - p > 8) return -1;
        int hostEnd = Run(s, host, blank: false);
        if (hostEnd == host || hostEnd - host > 255) return -1;
        int prog = Run(s, hostEnd, blank: true);
        if (prog == hostEnd || prog - hostEnd > 8) return -1;
        int progEnd = prog;
        while (progEnd < s.Length && s[progEnd] != ':' && s[progEnd] != '[' && !char.IsWhiteSpace(s[progEnd])) progEnd++;
        if (progEnd == prog || progEnd - prog > 255 || progEnd == s.Length) return -1;
        int colon = progEnd;
        if (s[colon] == '[')
        {
            int digits = Digits(s, colon + 1);
            if (digits == colon + 1 || digits - colon - 1 > 10 || digits >= s.Length || s[digits] != ']') return -1;
            colon = digits + 1;
        }
        if (colon >= s.Length || s[colon] != ':') return -1;
        progStart = prog;
        progLength = progEnd - prog;
        int after = colon + 1;
        return after < s.Length && char.IsWhiteSpace(s[after]) ? after + 1 : after;
    }

    // "[  123.456789] ": ^\[\s{0,32}(?<stamp>\d{1,20}\.\d{1,20})\]\s?. Returns its end, or -1.
    private static int DmesgStampEnd(string s, int p, out int stampStart, out int stampLength)
    {
        stampStart = stampLength = 0;
        int digits = Run(s, p + 1, blank: true);
        if (digits - p - 1 > 32) return -1;
        int dot = Digits(s, digits);
        if (dot == digits || dot - digits > 20 || dot >= s.Length || s[dot] != '.') return -1;
        int close = Digits(s, dot + 1);
        if (close == dot + 1 || close - dot - 1 > 20 || close >= s.Length || s[close] != ']') return -1;
        stampStart = digits;
        stampLength = close - digits;
        int after = close + 1;
        return after < s.Length && char.IsWhiteSpace(s[after]) ? after + 1 : after;
    }

    // journalctl -o short-monotonic: "[  123.456789] host kernel: " once the stamp is gone: ^\S{1,255}\s{1,64}kernel:\s?.
    private static int HostKernelEnd(string s, int p)
    {
        int hostEnd = Run(s, p, blank: false);
        if (hostEnd == p || hostEnd - p > 255) return -1;
        int word = Run(s, hostEnd, blank: true);
        if (word == hostEnd || word - hostEnd > 64 || s.Length - word < 7 || string.CompareOrdinal(s, word, "kernel:", 0, 7) != 0) return -1;
        int after = word + 7;
        return after < s.Length && char.IsWhiteSpace(s[after]) ? after + 1 : after;
    }
}
