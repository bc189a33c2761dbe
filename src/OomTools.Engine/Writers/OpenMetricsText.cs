using System.Globalization;
using System.IO;
using System.Text;

namespace OomTools.Engine.Writers;

/// <summary>
/// The OpenMetrics text format's lexical rules (metric names, label values, HELP text, the closing <c># EOF</c>):
/// the one place that decides how a comm or a cgroup path reaches a metrics file.
/// </summary>
public static class OpenMetricsText
{
    /// <summary>The line that ends every OpenMetrics exposition.</summary>
    public const string Eof = "# EOF";

    /// <summary>True when <paramref name="name"/> is a metric name: <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    public static bool IsMetricName(string? name)
    {
        if (string.IsNullOrEmpty(name)) return false;
        for (int i = 0; i < name!.Length; i++)
        {
            char c = name[i];
            bool ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or ':' || (i > 0 && c is >= '0' and <= '9');
            if (!ok) return false;
        }
        return true;
    }

    /// <summary>
    /// Escapes a label value: backslash, double quote and line feed become <c>\\ \" \n</c>, as the format
    /// requires; every other character (UTF-8 in the file) is kept.
    /// </summary>
    public static string EscapeLabelValue(string? value) => Escape(value, quote: true);

    /// <summary>Escapes HELP text: backslash and line feed (a quote needs no escape there).</summary>
    public static string EscapeHelp(string? text) => Escape(text, quote: false);

    private static string Escape(string? text, bool quote)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text!.Length + 4);
        foreach (char c in text)
        {
            if (c == '\\') sb.Append("\\\\");
            else if (c == '\n') sb.Append("\\n");
            else if (c == '"' && quote) sb.Append("\\\"");
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Writes a family's metadata: <c># TYPE</c>, <c># HELP</c> and, when it has one, <c># UNIT</c>.</summary>
    public static void Family(TextWriter w, string name, string type, string help, string? unit = null)
    {
        w.Write("# TYPE " + name + " " + type + "\n");
        if (unit is not null) w.Write("# UNIT " + name + " " + unit + "\n");
        w.Write("# HELP " + name + " " + EscapeHelp(help) + "\n");
    }

    /// <summary>Writes one sample line: <c>name{a="x",b="y"} value</c> (labels in the order given).</summary>
    public static void Sample(TextWriter w, string name, long value, params (string Name, string Value)[] labels)
    {
        w.Write(name);
        if (labels.Length > 0)
        {
            w.Write('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0) w.Write(',');
                w.Write(labels[i].Name + "=\"" + EscapeLabelValue(labels[i].Value) + "\"");
            }
            w.Write('}');
        }
        w.Write(" " + value.ToString(CultureInfo.InvariantCulture) + "\n");
    }
}
