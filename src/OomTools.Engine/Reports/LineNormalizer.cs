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

    // "May 17 17:00:28 host kernel: " — the month may be in any language; "Dec  3" has two spaces.
    private static readonly Regex Syslog = new(@"^(?<stamp>\S+\s+\d{1,2}\s+\d\d:\d\d:\d\d)\s+\S+\s+(?<prog>[^\s:\[]+)(?:\[\d+\])?:\s?", Opts);
    // "2024-05-17T19:54:29.123456+02:00 host kernel: "
    private static readonly Regex IsoSyslog = new(@"^(?<stamp>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S*)\s+\S+\s+(?<prog>[^\s:\[]+)(?:\[\d+\])?:\s?", Opts);
    private static readonly Regex DmesgStamp = new(@"^\[\s*(?<stamp>\d+\.\d+)\]\s?", Opts);
    // dmesg -T: "[Di Aug 12 03:54:03 2025]" in any locale.
    private static readonly Regex DmesgDate = new(@"^\[(?<stamp>[^\]\[]*\d{1,2}:\d\d:\d\d[^\]\[]*)\]\s?", Opts);
    private static readonly Regex Level = new(@"^<\d>", Opts);
    private static readonly Regex Facility = new(@"^kern\s*:\s*\w+\s*:\s?", Opts);
    // journalctl -o short-monotonic: "[  123.456789] host kernel: " once the stamp is gone.
    private static readonly Regex HostKernel = new(@"^\S+\s+kernel:\s?", Opts);

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
        if (s.Length > 0 && s[0] == '<') s = Level.Replace(s, "", 1);
        if (s.StartsWith("kern", System.StringComparison.Ordinal)) s = Facility.Replace(s, "", 1);
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
}
