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
        var r = new Reader(text);
        r.SkipWhitespace();
        var value = r.ReadValue(0);
        r.SkipWhitespace();
        if (!r.AtEnd) throw r.Error("there is more text after the end of the JSON document");
        return value;
    }

    private sealed class Reader
    {
        private readonly string s;
        private int pos;

        public Reader(string text)
        {
            s = text;
            // A byte-order mark that survived decoding is not part of the document.
            if (s.Length > 0 && s[0] == '\uFEFF') pos = 1;
        }

        public bool AtEnd => pos >= s.Length;

        public FormatException Error(string what)
        {
            int line = 1, col = 1;
            for (int i = 0; i < pos && i < s.Length; i++)
            {
                if (s[i] == '\n') { line++; col = 1; } else col++;
            }
            return new FormatException($"Not valid JSON at line {line}, column {col}: {what}.");
        }

        public void SkipWhitespace()
        {
            while (pos < s.Length && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) pos++;
        }

        public object? ReadValue(int depth)
        {
            if (depth > MaxDepth) throw Error($"the document is nested more than {MaxDepth} levels deep");
            if (AtEnd) throw Error("the document ends where a value should be");
            char c = s[pos];
            switch (c)
            {
                case '{': return ReadObject(depth);
                case '[': return ReadArray(depth);
                case '"': return ReadString();
                case 't': Expect("true"); return true;
                case 'f': Expect("false"); return false;
                case 'n': Expect("null"); return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                    throw Error($"'{c}' cannot start a value");
            }
        }

        private void Expect(string word)
        {
            if (string.CompareOrdinal(s, pos, word, 0, word.Length) != 0) throw Error($"expected '{word}'");
            pos += word.Length;
        }

        private JsonObject ReadObject(int depth)
        {
            var obj = new JsonObject();
            pos++; // {
            SkipWhitespace();
            if (pos < s.Length && s[pos] == '}') { pos++; return obj; }
            while (true)
            {
                SkipWhitespace();
                if (AtEnd || s[pos] != '"') throw Error("expected a member name in double quotes");
                int at = pos;
                var name = ReadString();
                SkipWhitespace();
                if (AtEnd || s[pos] != ':') throw Error("expected ':' after a member name");
                pos++;
                SkipWhitespace();
                var value = ReadValue(depth + 1);
                if (obj.Has(name)) { pos = at; throw Error($"the member \"{name}\" appears twice in one object"); }
                obj.Add(name, value);
                SkipWhitespace();
                if (AtEnd) throw Error("the document ends inside an object");
                if (s[pos] == ',') { pos++; continue; }
                if (s[pos] == '}') { pos++; return obj; }
                throw Error("expected ',' or '}' in an object");
            }
        }

        private List<object?> ReadArray(int depth)
        {
            var list = new List<object?>();
            pos++; // [
            SkipWhitespace();
            if (pos < s.Length && s[pos] == ']') { pos++; return list; }
            while (true)
            {
                SkipWhitespace();
                list.Add(ReadValue(depth + 1));
                SkipWhitespace();
                if (AtEnd) throw Error("the document ends inside an array");
                if (s[pos] == ',') { pos++; continue; }
                if (s[pos] == ']') { pos++; return list; }
                throw Error("expected ',' or ']' in an array");
            }
        }

        private string ReadString()
        {
            pos++; // opening quote
            var sb = new StringBuilder();
            while (true)
            {
                if (AtEnd) throw Error("the document ends inside a string");
                char c = s[pos++];
                if (c == '"') return sb.ToString();
                if (c < ' ') { pos--; throw Error("a control character must be escaped inside a string"); }
                if (c != '\\') { sb.Append(c); continue; }
                if (AtEnd) throw Error("the document ends inside an escape");
                char e = s[pos++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (pos + 4 > s.Length || !int.TryParse(s.Substring(pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                            throw Error("\\u must be followed by four hex digits");
                        sb.Append((char)code);
                        pos += 4;
                        break;
                    default:
                        pos--;
                        throw Error($"'\\{e}' is not a JSON escape");
                }
            }
        }

        private object ReadNumber()
        {
            int start = pos;
            if (s[pos] == '-') pos++;
            if (AtEnd || s[pos] < '0' || s[pos] > '9') throw Error("a '-' must be followed by digits");
            if (s[pos] == '0') pos++;
            else while (pos < s.Length && s[pos] >= '0' && s[pos] <= '9') pos++;
            bool integer = true;
            if (pos < s.Length && s[pos] == '.')
            {
                integer = false;
                pos++;
                if (AtEnd || s[pos] < '0' || s[pos] > '9') throw Error("a decimal point must be followed by digits");
                while (pos < s.Length && s[pos] >= '0' && s[pos] <= '9') pos++;
            }
            if (pos < s.Length && (s[pos] == 'e' || s[pos] == 'E'))
            {
                integer = false;
                pos++;
                if (pos < s.Length && (s[pos] == '+' || s[pos] == '-')) pos++;
                if (AtEnd || s[pos] < '0' || s[pos] > '9') throw Error("an exponent must have digits");
                while (pos < s.Length && s[pos] >= '0' && s[pos] <= '9') pos++;
            }
            var text = s.Substring(start, pos - start);
            if (integer && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
            return new JsonNumber(text);
        }
    }
    #endregion

    #region Writing
    /// <summary>Writes <paramref name="value"/> indented by two spaces, with "\n" line ends and no trailing newline.</summary>
    public static string Write(object? value)
    {
        var sb = new StringBuilder();
        WriteValue(sb, value, 0);
        return sb.ToString();
    }

    /// <summary>The value on one line, without spaces: how two values are compared.</summary>
    public static string WriteCompact(object? value)
    {
        var sb = new StringBuilder();
        WriteInline(sb, value, compact: true);
        return sb.ToString();
    }

    private const int InlineWidth = 100;

    private static void WriteValue(StringBuilder sb, object? value, int indent)
    {
        switch (value)
        {
            case JsonObject o when o.Members.Count > 0 && !FitsOnOneLine(o):
                sb.Append('{');
                for (int i = 0; i < o.Members.Count; i++)
                {
                    sb.Append(i == 0 ? "\n" : ",\n").Append(' ', indent + 2);
                    WriteString(sb, o.Members[i].Key);
                    sb.Append(": ");
                    WriteValue(sb, o.Members[i].Value, indent + 2);
                }
                sb.Append('\n').Append(' ', indent).Append('}');
                break;
            case List<object?> a when a.Count > 0 && !FitsOnOneLine(a):
                sb.Append('[');
                for (int i = 0; i < a.Count; i++)
                {
                    sb.Append(i == 0 ? "\n" : ",\n").Append(' ', indent + 2);
                    WriteValue(sb, a[i], indent + 2);
                }
                sb.Append('\n').Append(' ', indent).Append(']');
                break;
            default:
                WriteInline(sb, value, compact: false);
                break;
        }
    }

    /// <summary>Objects and arrays of scalars (or of such one-line objects) that stay short go on one line.</summary>
    private static bool FitsOnOneLine(object container)
    {
        int budget = InlineWidth;
        return Fits(container, ref budget, 0);
    }

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
                if (depth > 1) return false;
                budget -= 2;
                foreach (var item in a)
                    if (!Fits(item, ref budget, depth + 1)) return false;
                return budget >= 0;
            case string s:
                budget -= s.Length + 4;
                return budget >= 0;
            default:
                budget -= 22;
                return budget >= 0;
        }
    }

    private static void WriteInline(StringBuilder sb, object? value, bool compact)
    {
        switch (value)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case int i: sb.Append(i.ToString(CultureInfo.InvariantCulture)); break;
            case JsonNumber n: sb.Append(n.Text); break;
            case string s: WriteString(sb, s); break;
            case JsonObject o:
                sb.Append('{');
                for (int k = 0; k < o.Members.Count; k++)
                {
                    if (k > 0) sb.Append(compact ? "," : ", ");
                    WriteString(sb, o.Members[k].Key);
                    sb.Append(compact ? ":" : ": ");
                    WriteInline(sb, o.Members[k].Value, compact);
                }
                sb.Append('}');
                break;
            case List<object?> a:
                sb.Append('[');
                for (int k = 0; k < a.Count; k++)
                {
                    if (k > 0) sb.Append(compact ? "," : ", ");
                    WriteInline(sb, a[k], compact);
                }
                sb.Append(']');
                break;
            default:
                throw new ArgumentException($"A {value.GetType().Name} is not a JSON value.", nameof(value));
        }
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    // Control characters, the two line separators JavaScript will not take raw, and surrogates (a lone
                    // one would not survive UTF-8) as \u escapes.
                    if (c < ' ' || c == '\u2028' || c == '\u2029' || char.IsSurrogate(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
    #endregion
}
