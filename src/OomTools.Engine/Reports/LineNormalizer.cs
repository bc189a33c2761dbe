using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace OomTools.Engine.Reports;

/// <summary>
/// Takes the kernel message out of a log line, whatever carried it: mail quoting (<c>&gt; </c>), syslog and
/// journal prefixes (<c>May 17 17:00:28 host kernel: </c>, ISO dates), dmesg stamps (<c>[  123.456789]</c>),
/// <c>dmesg -T</c> dates in any language, <c>&lt;4&gt;</c> levels, <c>dmesg -x</c> facility columns and indentation.
/// Lines that syslog or the journal attribute to another program are not kernel lines.
/// </summary>
internal static class LineNormalizer
{
    private const RegexOptions Opts = RegexOptions.Compiled | RegexOptions.CultureInvariant;

    // Every pattern is anchored and every quantifier bounded (a month name, a host name, a dmesg -T date are
    // short), so a crafted line of any length costs a few passes over its first characters, never its length
    // squared: "[" followed by a megabyte of "Mon Dec  4 12:00:00 2024 " made the unbounded date pattern retry
    // its tail at every time it found.
    // "May 17 17:00:28 host kernel: " — the month may be in any language; "Dec  3" has two spaces.
    private static readonly Regex Syslog = new(@"^(?<stamp>\S{1,32}\s{1,8}\d{1,2}\s{1,8}\d\d:\d\d:\d\d)\s{1,8}\S{1,255}\s{1,8}(?<prog>[^\s:\[]{1,255})(?:\[\d{1,10}\])?:\s?", Opts);
    // "2024-05-17T19:54:29.123456+02:00 host kernel: "
    private static readonly Regex IsoSyslog = new(@"^(?<stamp>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S{0,32})\s{1,8}\S{1,255}\s{1,8}(?<prog>[^\s:\[]{1,255})(?:\[\d{1,10}\])?:\s?", Opts);
    private static readonly Regex DmesgStamp = new(@"^\[\s{0,32}(?<stamp>\d{1,20}\.\d{1,20})\]\s?", Opts);
    // dmesg -T: "[Di Aug 12 03:54:03 2025]" in any locale.
    private static readonly Regex DmesgDate = new(@"^\[(?<stamp>[^\]\[]{0,64}?\d{1,2}:\d\d:\d\d[^\]\[]{0,64})\]\s?", Opts);
    private static readonly Regex Level = new(@"^<\d>", Opts);
    private static readonly Regex Facility = new(@"^kern\s{0,16}:\s{0,16}\w{1,16}\s{0,16}:\s?", Opts);
    // journalctl -o short-monotonic: "[  123.456789] host kernel: " once the stamp is gone.
    private static readonly Regex HostKernel = new(@"^\S{1,255}\s{1,64}kernel:\s?", Opts);

    /// <summary>Splits rsyslog's escaped control characters back into lines (#012 newline, #011 tab).</summary>
    public static IEnumerable<string> SplitEscapes(string raw)
    {
        if (raw.IndexOf("#01", System.StringComparison.Ordinal) < 0) { yield return raw; yield break; }
        foreach (var part in raw.Replace("#011", "\t").Split(new[] { "#012" }, System.StringSplitOptions.None))
            yield return part;
    }

    /// <summary>The kernel text of <paramref name="raw"/>, or null when the line is another program's.</summary>
    public static string? Normalize(string raw, out string? stamp)
    {
        stamp = null;
        int start = 0;
        while (start < raw.Length && (raw[start] == '>' || char.IsWhiteSpace(raw[start]))) start++;
        var s = start == 0 ? raw : raw.Substring(start);

        // A level may stand before a syslog prefix too: "<4>Dec 20 03:17:52 host kernel: ..." is a raw syslog
        // record of the kern facility (PRI 0-7), as a network capture or "nc -lu 514" shows it.
        s = StripLevel(s);
        // Every pattern is anchored, so the first character says which can match: a syslog stamp never starts
        // with '[' (a dmesg stamp or a dmesg -T date does). Journals are mostly other lines: this is the hot path.
        Match m = Match.Empty;
        if (s.Length > 0 && s[0] != '[')
        {
            m = Syslog.Match(s);
            if (!m.Success) m = IsoSyslog.Match(s);
        }
        if (m.Success)
        {
            if (m.Groups["prog"].Value != "kernel") return null;
            stamp = m.Groups["stamp"].Value;
            s = s.Substring(m.Length);
        }
        // Each carrier may leave blanks before the next one ("<4> [  385.5] ...", "kernel:   [  385.5] ..."): a
        // stamp after them is still a stamp, or a task table row behind it would read as "[  385.5] [ 1234] ...".
        s = StripLevel(TrimStart(s));
        if (s.StartsWith("kern", System.StringComparison.Ordinal)) s = TrimStart(Facility.Replace(s, "", 1));
        m = Match.Empty;
        if (s.Length > 0 && s[0] == '[')
        {
            m = DmesgStamp.Match(s);
            if (!m.Success) m = DmesgDate.Match(s);
        }
        if (m.Success)
        {
            stamp = m.Groups["stamp"].Value;
            s = s.Substring(m.Length);
            var hk = HostKernel.Match(s);
            if (hk.Success) s = s.Substring(hk.Length);
        }
        return s.Trim();
    }

    private static string StripLevel(string s) => s.Length > 0 && s[0] == '<' ? TrimStart(Level.Replace(s, "", 1)) : s;

    private static string TrimStart(string s) => s.Length > 0 && char.IsWhiteSpace(s[0]) ? s.TrimStart() : s;
}
