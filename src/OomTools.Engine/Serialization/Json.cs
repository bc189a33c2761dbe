using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace OomTools.Engine.Serialization;

/// <summary>
/// A JSON object that keeps its members in the order they were added (so a document is written the same way
/// every time). Values are null, bool, long, <see cref="JsonNumber"/> (any other number), string,
/// <see cref="JsonObject"/> or <see cref="List{T}"/> of values.
/// </summary>
internal sealed class JsonObject
{
    private readonly List<KeyValuePair<string, object?>> members = new();
    private readonly Dictionary<string, object?> index = new(StringComparer.Ordinal);

    public IReadOnlyList<KeyValuePair<string, object?>> Members => members;

    public JsonObject Add(string name, object? value)
    {
        if (index.ContainsKey(name)) throw new FormatException($"The JSON object has the member \"{name}\" twice.");
        members.Add(new KeyValuePair<string, object?>(name, value));
        index[name] = value;
        return this;
    }

    public bool TryGet(string name, out object? value) => index.TryGetValue(name, out value);
    public bool Has(string name) => index.ContainsKey(name);
}

/// <summary>A number that is not an integer within the range of <see cref="long"/>: kept as written.</summary>
internal sealed class JsonNumber
{
    public JsonNumber(string text) => Text = text;
    public string Text { get; }
    public override string ToString() => Text;
}

/// <summary>
/// A small JSON (RFC 8259) reader and writer: no dependency beyond netstandard2.0, integers read exactly as
/// <see cref="long"/>, and a deterministic, indented output (short scalar-only objects and arrays on one line).
/// </summary>
internal static class Json
{
    /// <summary>Nesting deeper than this is refused (a machine document is 4 levels deep).</summary>
    public const int MaxDepth = 64;

    #region Reading
    /// <summary>Parses a whole document; <see cref="FormatException"/> names the line and column of a syntax error.</summary>
    public static object? Parse(string text)
    {
        if (text is null) throw new ArgumentNullException(nameof(text));
        var r = new JsonCharReader(new System.IO.StringReader(text));
        r.SkipByteOrderMark();
        r.SkipWhitespace();
        var value = r.ReadValue(0);
        r.SkipWhitespace();
        if (!r.AtEnd) throw r.Error("there is more text after the end of the JSON document");
        return value;
    }
    #endregion

    #region Writing
    /// <summary>Writes <paramref name="value"/> indented by two spaces, with "\n" line ends and no trailing newline.</summary>
    public static string Write(object? value)
    {
        var sb = new System.IO.StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        Write(sb, value);
        return sb.ToString();
    }

    /// <summary>
    /// Writes <paramref name="value"/> as <see cref="Write(object?)"/> does, onto <paramref name="writer"/> as it goes: a
    /// <see cref="JsonLazyArray"/> in it is enumerated item by item, so only one item is in memory at a time.
    /// </summary>
    public static void Write(System.IO.TextWriter writer, object? value)
    {
        if (writer is null) throw new ArgumentNullException(nameof(writer));
        WriteValue(writer, value, 0);
    }

    /// <summary>The value on one line, without spaces: how two values are compared.</summary>
    public static string WriteCompact(object? value)
    {
        var sb = new System.IO.StringWriter(CultureInfo.InvariantCulture);
        WriteInline(sb, value, compact: true);
        return sb.ToString();
    }

    private const int InlineWidth = 100;

    private static void WriteValue(System.IO.TextWriter w, object? value, int indent)
    {
        switch (value)
        {
            case JsonObject o when o.Members.Count > 0 && !FitsOnOneLine(o):
                w.Write('{');
                for (int i = 0; i < o.Members.Count; i++)
                {
                    w.Write(i == 0 ? "\n" : ",\n");
                    Indent(w, indent + 2);
                    WriteString(w, o.Members[i].Key);
                    w.Write(": ");
                    WriteValue(w, o.Members[i].Value, indent + 2);
                }
                w.Write('\n');
                Indent(w, indent);
                w.Write('}');
                break;
            case List<object?> a when a.Count > 0 && !FitsOnOneLine(a):
                WriteItems(w, a, indent);
                break;
            case JsonLazyArray lazy when !FitsOnOneLine(lazy):
                // Not empty (an empty array fits): written item by item, each made as it is reached.
                WriteItems(w, lazy.Items, indent);
                break;
            default:
                WriteInline(w, value, compact: false);
                break;
        }
    }

    private static void WriteItems(System.IO.TextWriter w, IEnumerable<object?> items, int indent)
    {
        w.Write('[');
        bool first = true;
        foreach (var item in items)
        {
            w.Write(first ? "\n" : ",\n");
            first = false;
            Indent(w, indent + 2);
            WriteValue(w, item, indent + 2);
        }
        w.Write('\n');
        Indent(w, indent);
        w.Write(']');
    }

    private static void Indent(System.IO.TextWriter w, int n)
    {
        for (int i = 0; i < n; i++) w.Write(' ');
    }

    /// <summary>Objects and arrays of scalars (or of such one-line objects) that stay short go on one line.</summary>
    private static bool FitsOnOneLine(object container)
    {
        int budget = InlineWidth;
        return Fits(container, ref budget, 0);
    }

    // Stops at the first item that does not fit, so a lazy array is looked at only as far as a line of text goes.
    private static bool Fits(object? value, ref int budget, int depth)
    {
        switch (value)
        {
            case JsonObject o:
                if (depth > 1) return false;
                budget -= 2;
                foreach (var m in o.Members)
                {
                    budget -= m.Key.Length + 4;
                    if (!Fits(m.Value, ref budget, depth + 1)) return false;
                }
                return budget >= 0;
            case List<object?> a:
                return FitsItems(a, ref budget, depth);
            case JsonLazyArray lazy:
                return FitsItems(lazy.Items, ref budget, depth);
            case string s:
                budget -= s.Length + 4;
                return budget >= 0;
            default:
                budget -= 22;
                return budget >= 0;
        }
    }

    private static bool FitsItems(IEnumerable<object?> items, ref int budget, int depth)
    {
        if (depth > 1) return false;
        budget -= 2;
        foreach (var item in items)
            if (!Fits(item, ref budget, depth + 1)) return false;
        return budget >= 0;
    }

    private static void WriteInline(System.IO.TextWriter sb, object? value, bool compact)
    {
        switch (value)
        {
            case null: sb.Write("null"); break;
            case bool b: sb.Write(b ? "true" : "false"); break;
            case long l: sb.Write(l.ToString(CultureInfo.InvariantCulture)); break;
            case int i: sb.Write(i.ToString(CultureInfo.InvariantCulture)); break;
            case JsonNumber n: sb.Write(n.Text); break;
            case string s: WriteString(sb, s); break;
            case JsonObject o:
                sb.Write('{');
                for (int k = 0; k < o.Members.Count; k++)
                {
                    if (k > 0) sb.Write(compact ? "," : ", ");
                    WriteString(sb, o.Members[k].Key);
                    sb.Write(compact ? ":" : ": ");
                    WriteInline(sb, o.Members[k].Value, compact);
                }
                sb.Write('}');
                break;
            case List<object?> or JsonLazyArray:
                sb.Write('[');
                bool first = true;
                foreach (var item in value is JsonLazyArray lazy ? lazy.Items : (List<object?>)value)
                {
                    if (!first) sb.Write(compact ? "," : ", ");
                    first = false;
                    WriteInline(sb, item, compact);
                }
                sb.Write(']');
                break;
            default:
                throw new ArgumentException($"A {value.GetType().Name} is not a JSON value.", nameof(value));
        }
    }

    private static void WriteString(System.IO.TextWriter sb, string s)
    {
        sb.Write('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Write("\\\""); break;
                case '\\': sb.Write("\\\\"); break;
                case '\n': sb.Write("\\n"); break;
                case '\r': sb.Write("\\r"); break;
                case '\t': sb.Write("\\t"); break;
                default:
                    // Control characters, the two line separators JavaScript will not take raw, and surrogates (a lone
                    // one would not survive UTF-8) as \u escapes.
                    if (c < ' ' || c == '\u2028' || c == '\u2029' || char.IsSurrogate(c)) { sb.Write("\\u"); sb.Write(((int)c).ToString("x4", CultureInfo.InvariantCulture)); }
                    else sb.Write(c);
                    break;
            }
        }
        sb.Write('"');
    }
    #endregion
}
