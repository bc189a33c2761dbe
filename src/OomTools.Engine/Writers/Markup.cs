using System.Text;

namespace OomTools.Engine.Writers;

/// <summary>
/// Escaping shared by the markup writers (the HTML audit report and the SVG timeline chart): the one place that
/// decides how text from a machine (a comm, a cgroup path, a title) reaches a page.
/// </summary>
public static class Markup
{
    /// <summary>
    /// Escapes text for element content and for quoted attribute values, in HTML and in XML (SVG) alike:
    /// <c>&amp; &lt; &gt; " '</c> become entities, and control characters other than tab and line feed become
    /// U+FFFD, since XML 1.0 cannot hold them and a comm can. Null and "" give "".
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text!.Length + 8);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default:
                    if (c < ' ' && c != '\t' && c != '\n') sb.Append('\uFFFD');
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }
}
