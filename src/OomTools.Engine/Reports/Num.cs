using System.Globalization;

namespace OomTools.Engine.Reports;

/// <summary>Numbers from report text that a regex already found to be digits, but that may not fit (0 then).</summary>
internal static class Num
{
    public static int Int(string s) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : 0;

    public static long Long(string s) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
